"""The signed-in person, fetched with what every page's navigation shows."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

import prfaq.backends
from reviews.models import Notification


class UserBackend(prfaq.backends.UserBackend):
    """Also counts the person's unread notifications in the same query: the Inbox badge is
    on every page, and most of the time the count is all it needs (see
    ``reviews.context_processors.inbox``)."""

    def user_queryset(self) -> QuerySet:
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().user_queryset().annotate(unread_any=Coalesce(Subquery(unread), 0))
