"""Signing in with a username and password, and finding the signed-in person per request."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from prfaq.compiled import by_pk
from prfaq.models import LEADERSHIP_GROUP, Stamp, User


class UserBackend(ModelBackend):
    """Django's model backend, fetching whether the person leads in the same query.

    Every page asks ``user.is_leader`` (who may see what); answering it with the user's
    own row spares a query per request. The page cache's stamps come with it too
    (``prfaq.pagecache``).
    """

    def user_queryset(self) -> QuerySet:
        leads = User.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__name=LEADERSHIP_GROUP
        )
        stamps = {
            f"stamp_{name}": Subquery(Stamp.objects.filter(name=name).values("value"))
            for name in (Stamp.SITE, Stamp.EVERYTHING)
        }
        return User._default_manager.annotate(leads=Exists(leads), **stamps)

    def get_user(self, user_id):
        # Asked on every request: compiled once (compiling cost seven times running it).
        user = by_pk(
            f"{type(self).__module__}.{type(self).__qualname__}", self.user_queryset, user_id
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user.is_leader = bool(user.leads)  # fills the cached property; SQLite answers 0 or 1
        return user
