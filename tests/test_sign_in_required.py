"""A walk over the URLconf: every URL but a short allow-list sends strangers to sign in."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Reachable without signing in, and why.
ALLOWED = {
    "accounts/login/": "the sign-in page itself",
    "accounts/logout/": "signing out is harmless",
    "healthz": "the load balancer's health check; it says only ok",
}
# Answer strangers with 401 (htmx) instead of a redirect, keeping their text.
NOT_A_REDIRECT = {"documents/1/autosave/": 401}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def concrete(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str:|path:|slug:)?\w+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


ROUTES = sorted(
    {concrete(r) for r in walk(get_resolver().url_patterns) if not r.startswith("admin/")}
)


def test_the_walk_sees_every_part_of_the_app():
    assert len(ROUTES) > 30
    assert "/documents/1/edit/" in ROUTES and "/inbox/" in ROUTES


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_strangers_are_sent_to_sign_in(client, db, url, method):
    if url.lstrip("/") in ALLOWED:
        return
    response = getattr(client, method)(url)
    expected = NOT_A_REDIRECT.get(url.lstrip("/"))
    if expected:
        assert response.status_code in (expected, 405)
        return
    assert response.status_code == 302, (url, response.status_code)
    assert response.url.startswith("/accounts/login/"), (url, response.url)


def test_the_admin_asks_for_its_own_sign_in(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
