"""Security headers and cookie settings on every page, and CSRF on every form."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

PAGES = [
    "prfaq:dashboard",
    "prfaq:new",
    "prfaq:import",
    "reviews:inbox",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_html_page_has_a_strict_policy(client, author, name):
    client.force_login(author)
    response = client.get(reverse(name))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy  # no inline script at all, so no nonce is even needed
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert "<script>" not in page and " style=" not in page and "<style" not in page


def test_document_pages_carry_the_policy_too(client, author, document):
    client.force_login(author)
    for url in (
        reverse("prfaq:document", args=[document.pk]),
        reverse("prfaq:edit", args=[document.pk]),
        reverse("prfaq:history", args=[document.pk]),
    ):
        response = client.get(url)
        assert "object-src 'none'" in response["Content-Security-Policy"]
        assert " style=" not in response.content.decode()


def test_cookies_are_http_only_and_same_site(settings, client, author):
    response = client.post(reverse("login"), {"username": "author", "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_signing_in_rotates_the_session(client, author):
    client.get(reverse("login"))
    client.session["marker"] = "x"
    before = client.session.session_key
    client.post(reverse("login"), {"username": "author", "password": PASSWORD})
    assert client.session.session_key != before


@pytest.mark.parametrize(
    "url_name",
    ["prfaq:new", "prfaq:import"],
)
def test_posts_without_a_csrf_token_are_refused(author, url_name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post(reverse(url_name), {"title": "X", "template": "prfaq"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_autosave_without_a_csrf_token_is_refused(author, document):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post(reverse("prfaq:autosave", args=[document.pk]), {"title": "X"})
    assert response.status_code == 403
