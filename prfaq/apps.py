from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def ensure_leadership_group(sender, using: str, apps=global_apps, **kwargs) -> None:
    """The Leadership group always exists: migration 0002 made it, and every migrate and
    every flush (which empties the tables) make it again if it is gone, as Django does for
    content types and permissions."""
    from prfaq.models import LEADERSHIP_GROUP  # models are not ready when this module loads

    try:
        group = apps.get_model("auth", "Group")
    except LookupError:  # auth's tables are not there yet
        return
    group.objects.using(using).get_or_create(name=LEADERSHIP_GROUP)


class PrfaqConfig(AppConfig):
    name = "prfaq"
    verbose_name = "PR/FAQ drafting"

    def ready(self) -> None:
        post_migrate.connect(ensure_leadership_group, sender=self)
