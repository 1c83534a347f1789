from django.utils.html import format_html
from django.utils.safestring import mark_safe

from prfaq.pagecache import INBOX_MARK, rendering_for_cache
from reviews.models import Notification


def inbox(request) -> dict:
    """The unread count beside Inbox in the navigation.

    ``reviews.backends.UserBackend`` counts unread notifications with the user's row: none,
    or a leader's (who reads every document), is the answer. Only someone else with unread
    notifications needs the query that leaves out documents they may no longer read.

    A page rendered for the page cache gets a placeholder for the badge, filled in per
    request (``prfaq.pagecache``): the count changes without the page changing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def badge() -> str:
        return mark_safe(INBOX_MARK) if rendering_for_cache(request) else inbox_badge(request)

    return {"unread_notifications": lambda: unread_count(user), "inbox_badge": badge}


def unread_count(user) -> int:
    counted = getattr(user, "unread_any", None)
    if counted == 0 or (counted is not None and user.is_leader):
        return counted
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()


def inbox_badge(request) -> str:
    unread = unread_count(request.user)
    if not unread:
        return ""
    return format_html(
        ' <span class="badge text-bg-danger" aria-label="{} unread">{}</span>', unread, unread
    )
