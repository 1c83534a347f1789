"""Signing in with a username and password, and finding the signed-in person per request."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from prfaq.models import LEADERSHIP_GROUP, Stamp, User

_user_querysets: dict[type, QuerySet] = {}


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
        # Built once per process: building it (four subqueries) cost more than running it.
        base = _user_querysets.get(type(self))
        if base is None:
            base = _user_querysets[type(self)] = self.user_queryset()
        user = base.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user.is_leader = user.leads  # fills the cached property
        return user
