from django.apps import AppConfig


class PrfaqConfig(AppConfig):
    name = "prfaq"
    verbose_name = "PR/FAQ drafting"
