"""Signing in with a username and password, and finding the signed-in person per request."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet

from prfaq.models import LEADERSHIP_GROUP, User


class UserBackend(ModelBackend):
    """Django's model backend, fetching whether the person leads in the same query.

    Every page asks ``user.is_leader`` (who may see what); answering it with the user's
    own row spares a query per request.
    """

    def user_queryset(self) -> QuerySet:
        leads = User.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__name=LEADERSHIP_GROUP
        )
        return User._default_manager.annotate(leads=Exists(leads))

    def get_user(self, user_id):
        user = self.user_queryset().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user.is_leader = user.leads  # fills the cached property
        return user
