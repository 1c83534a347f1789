"""Search follows an author's typing at most SEARCH_DELAY behind, and a Save at once.

An autosave rewriting its open revision leaves indexing the whole text to the worker
(``prfaq.tasks.refresh_search``), queued once for SEARCH_DELAY later; the text itself is
saved as ever.
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prfaq.forms import editor_data
from prfaq.models import SEARCH_DELAY, Document
from prfaq.tasks import refresh_search
from tests.conftest import make_content, make_document
from tests.prfaq.test_editor import autosave
from tests.reviews.test_notifications import run_worker


def catch_ups(document: Document):
    return DBTaskResult.objects.filter(
        task_path="prfaq.tasks.refresh_search", args_kwargs__args=[document.pk]
    )


def run_catch_ups() -> None:
    """SEARCH_DELAY later: the worker runs them, now due."""
    DBTaskResult.objects.filter(task_path="prfaq.tasks.refresh_search").update(
        run_after=timezone.now()
    )
    run_worker()


def start_typing(client, document: Document) -> None:
    """The first autosave after a Save starts a revision, found by search at once; the
    next ones rewrite it."""
    response = autosave(client, document, {"section_problem": "Skippers lose trips."})
    assert response.status_code == 200
    assert found(client, "lose trips")
    document.refresh_from_db()


def found(client, words: str) -> bool:
    return "Tide Alerts" in client.get(reverse("prfaq:dashboard"), {"q": words}).content.decode()


def test_typing_is_saved_at_once_and_found_by_search_once_the_worker_catches_up(
    author_client, document
):
    start_typing(author_client, document)
    response = autosave(author_client, document, {"section_problem": "Skippers misread tides."})
    assert response.status_code == 200
    document.refresh_from_db()
    assert "Skippers misread tides." in document.current_revision.as_content().section("problem")
    assert not found(author_client, "misread")  # search trails the text for a while
    (queued,) = catch_ups(document)
    assert document.search_due_at == queued.run_after
    assert timedelta(0) < queued.run_after - timezone.now() <= SEARCH_DELAY

    run_catch_ups()
    assert found(author_client, "misread")  # the search page cached before moves on too
    caught_up = Document.objects.get(pk=document.pk)
    assert caught_up.search_due_at is None
    assert caught_up.version == document.version  # the open editor's next autosave saves
    response = autosave(author_client, document, {"section_problem": "Skippers misread."})
    assert response.status_code == 200


def test_autosaves_while_search_trails_queue_one_catch_up(author_client, document):
    start_typing(author_client, document)
    for n in range(3):
        response = autosave(author_client, document, {"section_problem": f"Edit {n}."})
        assert response.status_code == 200
        document.refresh_from_db()
    assert catch_ups(document).count() == 1
    run_catch_ups()
    assert found(author_client, "edit 2")
    assert not found(author_client, "edit 1")


def test_an_autosave_past_the_due_time_catches_up_itself(author_client, document):
    """A worker that is down or behind leaves search at most one autosave behind after
    SEARCH_DELAY."""
    start_typing(author_client, document)
    autosave(author_client, document, {"section_problem": "Skippers misread tides."})
    Document.objects.filter(pk=document.pk).update(
        search_due_at=timezone.now() - timedelta(seconds=1)
    )
    document.refresh_from_db()
    autosave(author_client, document, {"section_problem": "Skippers lose boats."})
    assert found(author_client, "lose boats")
    assert Document.objects.get(pk=document.pk).search_due_at is None
    assert refresh_search.call(document.pk) == 0  # the queued one finds nothing to do


def test_save_is_found_at_once(author_client, document):
    start_typing(author_client, document)
    content = make_content(problem="Skippers misread tides.")
    fields = editor_data(title=document.title, content=content, outline=document.outline)
    response = author_client.post(
        reverse("prfaq:edit", args=[document.pk]), fields | {"base_version": document.version}
    )
    assert response.status_code == 302
    assert found(author_client, "misread")
    assert not catch_ups(document).exists()


def test_save_right_after_an_autosave_is_found_at_once(author_client, document):
    """Type, let the autosave land, press Save: the text is the autosaved one."""
    start_typing(author_client, document)
    content = make_content(problem="Skippers misread tides.")
    fields = editor_data(title=document.title, content=content, outline=document.outline)
    response = autosave(author_client, document, fields)
    assert response.status_code == 200 and not found(author_client, "misread")
    document.refresh_from_db()
    response = author_client.post(
        reverse("prfaq:edit", args=[document.pk]), fields | {"base_version": document.version}
    )
    assert response.status_code == 302
    assert "No changes to save." in author_client.get(response.url).content.decode()
    assert found(author_client, "misread")  # the search page seen before moves on too
    assert Document.objects.get(pk=document.pk).search_due_at is None


def test_a_catch_up_also_brings_up_documents_whose_own_failed(author_client, document, author):
    start_typing(author_client, document)
    autosave(author_client, document, {"section_problem": "Skippers misread tides."})
    catch_ups(document).delete()  # its catch-up failed, or was lost
    Document.objects.filter(pk=document.pk).update(
        search_due_at=timezone.now() - timedelta(seconds=1)
    )
    other = make_document(owner=author, title="Other")
    Document.objects.filter(pk=other.pk).update(search_due_at=timezone.now())
    assert refresh_search.call(other.pk) == 2
    assert found(author_client, "misread")


def test_a_new_title_is_found_at_once(author_client, document):
    start_typing(author_client, document)
    assert autosave(author_client, document, {"title": "Tide Alerts misread"}).status_code == 200
    assert found(author_client, "misread")
    assert not catch_ups(document).exists()


def test_a_new_revision_is_found_at_once(client, author, collaborator, document):
    """An autosave by someone other than the open revision's author starts a revision of
    its own."""
    author_client = Client()
    author_client.force_login(author)
    start_typing(author_client, document)
    client.force_login(collaborator)
    assert autosave(client, document, {"section_problem": "Skippers misread."}).status_code == 200
    assert found(client, "misread")
    assert not catch_ups(document).exists()


def test_a_catch_up_for_a_document_gone_or_up_to_date_does_nothing(author):
    document = make_document(owner=author)
    assert refresh_search.call(document.pk) == 0
    Document.objects.filter(pk=document.pk).update(search_due_at=timezone.now())
    document.delete()
    assert refresh_search.call(document.pk) == 0


def test_overdue_documents_are_found_from_an_index_not_by_reading_every_text(db, document):
    from django.db import connection

    overdue = Document.objects.search_overdue().values_list("pk", flat=True)[:100]
    sql, params = overdue.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert "document_search_due_idx" in plan
