from reviews.models import Notification


def inbox(request) -> dict:
    """The unread count beside Inbox in the navigation: one small query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()

    return {"unread_notifications": unread}
