"""A comment's HTML is rendered once per version of it (``{% kept_comment %}``); what
differs per request (its relative time, the viewer's CSRF token) is filled in each time."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from prfaq.pagecache import CSRF_MARK
from reviews.models import Comment
from reviews.templatetags import discussion
from reviews.templatetags.discussion import TIME_MARK
from tests.conftest import start_thread

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _pages_rendered(settings):
    settings.PAGE_CACHE = False  # each request renders its thread: kept comments or not


def thread_page(client: Client, document, thread) -> str:
    url = reverse("reviews:thread", args=[document.pk, thread.pk])
    return client.get(url, headers=HTMX).content.decode()


def test_each_view_of_a_kept_comment_has_its_own_time_and_token(author, document, monkeypatch):
    thread = start_thread(document, author)
    labels = iter(["just now", "5\xa0minutes ago"])
    monkeypatch.setattr(discussion, "naturaltime", lambda value: next(labels))
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(author)
    second.force_login(author)
    pages = [thread_page(first, document, thread), thread_page(second, document, thread)]
    assert ">just now</time>" in pages[0] and ">5\xa0minutes ago</time>" in pages[1]
    tokens = [
        re.search(r'comments/\d+/delete/".*?name="csrfmiddlewaretoken" value="(\w+)"', page, re.S)[
            1
        ]
        for page in pages
    ]
    # Each page's delete form holds its own session's token, not the first one kept.
    secrets = [_unmask_cipher_token(token) for token in tokens]
    assert secrets == [first.cookies["csrftoken"].value, second.cookies["csrftoken"].value]
    assert secrets[0] != secrets[1]
    assert not any(mark in page for page in pages for mark in (TIME_MARK, CSRF_MARK))
    comment = thread.comments.get()
    delete = reverse("reviews:delete", args=[document.pk, comment.pk])
    refused = second.post(delete, {"csrfmiddlewaretoken": tokens[0]}, headers=HTMX)
    assert refused.status_code == 403
    assert second.post(delete, {"csrfmiddlewaretoken": tokens[1]}, headers=HTMX).status_code == 200
    comment.refresh_from_db()
    assert comment.is_deleted


def test_a_comment_cannot_spell_out_the_placeholders(author, teammate, document):
    # The marks are drawn at random per process: what anyone can write is only a guess,
    # such as the fixed marks of before, and it is shown as written.
    guessed = "[link](https://example.com/?t=csrf0page0cache0mark) comment0time0mark"
    thread = start_thread(document, author, body=guessed)
    client = Client()
    client.force_login(teammate)
    page = thread_page(client, document, thread)
    assert "?t=csrf0page0cache0mark" in page and "comment0time0mark" in page
    assert CSRF_MARK not in guessed and TIME_MARK not in guessed


def test_an_edited_comment_and_a_renamed_author_show_at_once(author, teammate, document):
    thread = start_thread(document, teammate, "Which customers?")
    client = Client()
    client.force_login(author)
    assert "Which customers?" in thread_page(client, document, thread)
    comment = thread.comments.get()
    comment.edit(by=teammate, body="Which **landlords**?")
    get_user_model().objects.filter(pk=teammate.pk).update(first_name="Renamed")
    page = thread_page(client, document, thread)
    assert "Which <strong>landlords</strong>?" in page and "Which customers?" not in page
    assert "Renamed" in page


def test_only_the_author_of_a_kept_comment_gets_its_actions(author, teammate, document):
    thread = start_thread(document, teammate, "Which customers?")
    as_author, as_teammate = Client(), Client()
    as_author.force_login(author)
    as_teammate.force_login(teammate)
    delete = f"comments/{Comment.objects.get(thread=thread).pk}/delete/"
    for _ in range(2):  # rendered, then kept
        assert delete in thread_page(as_teammate, document, thread)
        assert delete not in thread_page(as_author, document, thread)
