"""What every page's chrome needs, computed once per process."""

from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from prfaq.pagecache import CSRF_MARK, rendering_for_cache


def chrome(request) -> dict:
    """The navigation's links and the assets' URLs.

    They never change while the process runs, and looking each up per page (``{% url %}``,
    ``{% static %}`` with hashed file names) costs most of a millisecond on every request.
    """
    return {"chrome": _chrome(settings.STATIC_URL, settings.ROOT_URLCONF)}


@lru_cache(maxsize=4)
def _chrome(static_url: str, urlconf: str) -> dict:
    return {
        "favicon": static("favicon.svg"),
        "bootstrap_css": static("vendor/bootstrap/bootstrap.min.css"),
        "app_css": static("css/app.css"),
        "htmx_js": static("vendor/htmx/htmx.min.js"),
        "bootstrap_js": static("vendor/bootstrap/bootstrap.bundle.min.js"),
        "app_js": static("js/app.js"),
        "dashboard": reverse("prfaq:dashboard"),
        "new": reverse("prfaq:new"),
        "inbox": reverse("reviews:inbox"),
        "password_change": reverse("password_change"),
        "admin": reverse("admin:index"),
        "logout": reverse("logout"),
    }


def csrf_for_page_cache(request) -> dict:
    """A page rendered for the page cache carries a placeholder CSRF token, filled in per
    request (``prfaq.pagecache``); other pages keep Django's own."""
    return {"csrf_token": CSRF_MARK} if rendering_for_cache(request) else {}
