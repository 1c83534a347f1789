from reviews.models import Notification


def inbox(request) -> dict:
    """The unread count beside Inbox in the navigation.

    ``reviews.backends.UserBackend`` counts unread notifications with the user's row: none,
    or a leader's (who reads every document), is the answer. Only someone else with unread
    notifications needs the query that leaves out documents they may no longer read.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        counted = getattr(user, "unread_any", None)
        if counted == 0 or (counted is not None and user.is_leader):
            return counted
        return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()

    return {"unread_notifications": unread}
