"""Start-up: load settings once, and turn a bad environment into one line."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings() -> None:
    """Import the settings module, exiting with its message if the environment is wrong."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prfaq.settings")
    try:
        import prfaq.settings  # noqa: F401
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
