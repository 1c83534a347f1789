"""The whole-page cache (prfaq.pagecache): pages seen again cost a few queries, and never
show anything older than the last change, nor anything of another person's."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prfaq.models import LEADERSHIP_GROUP, Document, Stamp
from reviews.models import Notification
from tests.conftest import full_content, make_document, make_user
from tests.prfaq.test_editor import editor_data

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str, **headers) -> tuple[int, bytes]:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(captured), response.content


def document_urls(document: Document) -> list[str]:
    return [
        reverse("prfaq:document", args=[document.pk]),
        reverse("prfaq:edit", args=[document.pk]),
        reverse("prfaq:history", args=[document.pk]),
        reverse("reviews:timeline", args=[document.pk]),
        reverse("reviews:section_threads", args=[document.pk, "problem"]),
    ]


def test_a_page_seen_again_comes_from_the_cache(author, document):
    client = signed_in(author)
    for url in [reverse("prfaq:dashboard"), *document_urls(document)]:
        first, body = queries(client, url)
        again, same = queries(client, url)
        assert again <= 3 < first, url
        assert TOKEN.sub(b"", same) == TOKEN.sub(b"", body), url


def test_the_csrf_token_is_this_session_s_and_forms_from_a_cached_page_work(author, document):
    url = reverse("prfaq:document", args=[document.pk])
    first = signed_in(author)
    first.get(url)
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    page = client.get(url).content  # served from the cache rendered for another session
    token = TOKEN.search(page).group(1).decode()
    assert "csrf0page0cache0mark" not in page.decode()
    response = client.post(
        reverse("reviews:thread_new", args=[document.pk]),
        {"section": "problem", "body": "Posted from a cached page", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert document.threads.filter(comments__body="Posted from a cached page").exists()


def test_someone_else_s_comment_shows_at_once(author, teammate, document):
    reader = signed_in(author)
    url = reverse("prfaq:document", args=[document.pk])
    dashboard = reverse("prfaq:dashboard")
    reader.get(url), reader.get(dashboard)
    signed_in(teammate).post(
        reverse("reviews:thread_new", args=[document.pk]),
        {"section": "problem", "body": "A fresh objection"},
    )
    assert b"A fresh objection" in reader.get(url).content
    assert b"1 open thread" in reader.get(dashboard).content


def test_changes_show_on_a_database_whose_counters_were_emptied(author, teammate, document):
    Stamp.objects.all().delete()  # a flushed database, before any change made the rows
    reader = signed_in(author)
    dashboard = reverse("prfaq:dashboard")
    reader.get(dashboard)
    for body in ("First since the flush", "Second since the flush"):
        signed_in(teammate).post(
            reverse("reviews:thread_new", args=[document.pk]), {"section": "problem", "body": body}
        )
        assert b"open thread" in reader.get(dashboard).content
        assert body.encode() in reader.get(reverse("prfaq:document", args=[document.pk])).content
    assert Stamp.objects.get(name=Stamp.SITE).value == 2


def test_a_change_to_another_document_keeps_this_one_cached(author, teammate, document):
    other = make_document(owner=teammate, title="Another idea", content=full_content())
    reader = signed_in(author)
    url = reverse("prfaq:document", args=[document.pk])
    reader.get(url)
    signed_in(teammate).post(
        reverse("reviews:thread_new", args=[other.pk]), {"section": "problem", "body": "Hm"}
    )
    assert queries(reader, url)[0] <= 3


def test_each_person_gets_their_own_page(author, teammate, document):
    edit = reverse("prfaq:edit", args=[document.pk]).encode()
    url = reverse("prfaq:document", args=[document.pk])
    assert edit in signed_in(author).get(url).content
    assert edit not in signed_in(teammate).get(url).content


def test_losing_access_refuses_the_page_though_it_was_cached(author, collaborator, restricted):
    reader = signed_in(collaborator)
    urls = document_urls(restricted)
    for url in urls:
        assert reader.get(url).status_code == 200
    signed_in(author).post(
        reverse("prfaq:sharing", args=[restricted.pk]), {"restricted": "on", "collaborators": ""}
    )
    for url in urls:
        assert reader.get(url).status_code == 404, url


def test_the_inbox_badge_counts_now_on_a_cached_page(author, teammate, document):
    reader = signed_in(author)
    url = reverse("prfaq:document", args=[document.pk])
    assert b"unread" not in reader.get(url).content
    Notification.objects.create(
        recipient=author, actor=teammate, kind=Notification.Kind.MENTION, document=document
    )
    count, page = queries(reader, url)
    assert b'aria-label="1 unread">1</span>' in page
    assert count <= 4  # + counting the unread ones on documents the person may still read


def test_a_flash_message_shows_once_and_is_never_cached(author, document):
    client = signed_in(author)
    edit = reverse("prfaq:edit", args=[document.pk])
    client.get(edit)
    client.get(edit)  # from the cache
    response = client.post(edit, editor_data(document, section_problem="New problem."))
    assert response.status_code == 302
    assert "Saved." in client.get(edit).content.decode()
    assert "Saved." not in client.get(edit).content.decode()


def test_a_page_that_queued_a_flash_message_is_not_kept(author, document, monkeypatch):
    from django.contrib import messages

    from prfaq import views

    client = signed_in(author)
    url = reverse("prfaq:history", args=[document.pk])
    history = views._history

    def with_a_note(request, document):
        messages.info(request, "A note for this visit only.")
        return history(request, document)

    monkeypatch.setattr(views, "_history", with_a_note)
    assert "A note for this visit only." in client.get(url).content.decode()
    monkeypatch.setattr(views, "_history", history)
    assert "A note for this visit only." not in client.get(url).content.decode()


def test_the_editor_s_version_follows_every_save(author, document):
    """A cached editor with an old version would make the next save a conflict."""
    client = signed_in(author)
    edit = reverse("prfaq:edit", args=[document.pk])
    for text in ("First.", "Second."):
        page = client.get(edit).content.decode()
        version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
        response = client.post(
            reverse("prfaq:autosave", args=[document.pk]),
            {"title": document.title, "base_version": version, "section_problem": text,
             "faq-TOTAL_FORMS": "0", "faq-INITIAL_FORMS": "0"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert response.status_code == 200, text


def test_an_autosave_shows_at_once_on_the_document_s_pages(author, teammate, document):
    """A save moves the document's version, which its pages are keyed on (not its
    activity counter, which a save leaves as it was)."""
    reader, writer = signed_in(teammate), signed_in(author)
    read, edit, history = document_urls(document)[:3]
    for client, url in [(reader, read), (reader, history), (writer, edit)]:
        assert client.get(url).status_code == 200
    assert "Skippers lose whole days." not in reader.get(read).content.decode()
    response = writer.post(
        reverse("prfaq:autosave", args=[document.pk]),
        {"base_version": document.version, "section_problem": "Skippers lose whole days."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Skippers lose whole days." in reader.get(read).content.decode()
    assert "Skippers lose whole days.</textarea>" in writer.get(edit).content.decode()
    newest = reverse("prfaq:revision", args=[document.pk, document.revisions.count()])
    assert f'href="{newest}"' in reader.get(history).content.decode()


def test_a_change_in_the_admin_shows_at_once(author, document):
    reader = signed_in(author)
    url = reverse("prfaq:document", args=[document.pk])
    reader.get(url)
    Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    staff = make_user("staff", is_staff=True, is_superuser=True)
    admin = signed_in(staff)
    change = reverse("admin:prfaq_user_change", args=[author.pk])
    form = admin.get(change).content.decode()
    assert admin.get(change).status_code == 200
    data = {
        "username": "author",
        "first_name": "Renamed",
        "last_name": "Author",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    assert "first_name" in form
    response = admin.post(change, data)
    assert response.status_code == 302, response.content[:2000]
    assert b"Renamed" in reader.get(url).content


def test_commands_that_write_move_every_page_on(author, document):
    reader = signed_in(author)
    url = reverse("prfaq:dashboard")
    reader.get(url)
    call_command("seed_scale", "--documents", "3", "--users", "3", "--i-know", verbosity=0)
    assert queries(reader, url)[0] > 2


def test_page_cache_off_renders_every_request(author, document, settings):
    settings.PAGE_CACHE = False
    client = signed_in(author)
    url = reverse("prfaq:document", args=[document.pk])
    first = queries(client, url)[0]
    assert queries(client, url)[0] == first > 3


@pytest.mark.parametrize("method", ["head", "options"])
def test_only_gets_are_cached(author, document, method):
    client = signed_in(author)
    url = reverse("prfaq:document", args=[document.pk])
    getattr(client, method)(url)
    assert queries(client, url)[0] > 3


@pytest.mark.parametrize("page_cache", [True, False])
def test_an_id_beyond_any_row_is_404_not_500(author, document, settings, page_cache):
    settings.PAGE_CACHE = page_cache
    client = signed_in(author)
    huge = 99999999999999999999  # beyond a 64-bit id: SQLite cannot even bind it
    for name in ("prfaq:document", "prfaq:edit", "prfaq:history", "reviews:timeline"):
        assert client.get(reverse(name, args=[huge])).status_code == 404, name
    autosave = client.post(reverse("prfaq:autosave", args=[huge]), editor_data(document))
    assert autosave.status_code == 404
