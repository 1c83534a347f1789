"""Start-up: load settings once, and turn a bad environment into one line."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings(*, serving: bool = False) -> None:
    """Import the settings module, exiting with its message if the environment is wrong.

    ``serving``: started by a production server (gunicorn, an ASGI server), where a
    forgotten DEBUG must mean off; manage.py keeps development's zero configuration.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prfaq.settings")
    if serving:
        os.environ.setdefault("DEBUG", "false")
    try:
        import prfaq.settings  # noqa: F401
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
