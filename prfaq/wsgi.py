"""WSGI entry point (gunicorn prfaq.wsgi)."""

from prfaq.boot import load_settings

load_settings(serving=True)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
