"""Queries compiled once (``prfaq.compiled``) answer what Django's ORM answers."""

import gc
import threading
import weakref

import pytest
from django.db import connection, connections
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError
from django.tasks.signals import task_enqueued
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from prfaq import compiled
from prfaq.models import Document, Revision, User
from reviews.models import Comment, Event, Thread
from tests.conftest import make_document, start_thread


def _thread_with_author(thread_pk: int, document_pk: int):
    return Thread.objects.select_related("document__owner").filter(
        pk=thread_pk, document_id=document_pk
    )


def test_a_row_comes_with_its_related_rows_and_converted_annotations(document, author):
    thread = start_thread(document, author, "Why now?")
    found = compiled.one("test.thread", _thread_with_author, thread.pk, document.pk)
    assert found == thread and found.document == document
    with CaptureQueriesContext(connection) as captured:
        assert found.document.owner == author and found.created_at == thread.created_at
    assert len(captured) == 0  # read with the thread

    def leads(pk):
        leading = User.groups.through.objects.filter(user_id=OuterRef("pk"))
        return User.objects.annotate(leads=Exists(leading)).filter(pk=pk)

    assert compiled.one("test.leads", leads, author.pk).leads is False  # not SQLite's 0


def test_arguments_go_where_they_belong_whatever_the_call(document, author, collaborator):
    thread = start_thread(document, author, "First.")
    for body in ("Second.", "Third."):
        thread.reply(by=collaborator, body=body)
    first, *later = thread.comments.order_by("pk")

    def after(thread_pk, comment_pk):
        return (
            Comment.objects.select_related("author")
            .filter(thread_id=thread_pk, pk__gt=comment_pk)
            .order_by("pk")
        )

    assert compiled.rows("test.after", after, thread.pk, first.pk) == later
    assert compiled.rows("test.after", after, thread.pk, later[-1].pk) == []
    assert compiled.rows("test.after", after, thread.pk + 1, first.pk) == []
    assert compiled.one("test.thread", _thread_with_author, thread.pk, document.pk + 1) is None


def test_existence_is_asked_of_the_database(document, author):
    thread = start_thread(document, author, "Still open?")

    def open_thread(pk):
        return Thread.objects.filter(pk=pk, resolved_at__isnull=True)

    assert compiled.exists("test.open", open_thread, thread.pk) is True
    thread.resolve(by=author)
    assert compiled.exists("test.open", open_thread, thread.pk) is False


def test_ids_are_those_of_the_rows_in_their_order(document, author, collaborator):
    thread = start_thread(document, author, "First.")
    replies = [thread.reply(by=collaborator, body=body) for body in ("Second.", "Third.")]

    def newest_first(thread_pk, after):
        return Comment.objects.filter(thread_id=thread_pk, pk__gt=after).order_by("-pk")[:5]

    first = thread.comments.order_by("pk").first()
    assert compiled.ids("test.ids", newest_first, thread.pk, first.pk) == [
        c.pk for c in reversed(replies)
    ]
    assert compiled.ids("test.ids", newest_first, thread.pk, replies[-1].pk) == []
    assert compiled.ids("test.ids", newest_first, thread.pk, None) == []


@pytest.mark.parametrize("pk", [2**63, -(2**63) - 1, 10**30])
def test_an_id_no_row_can_have_finds_nothing(db, pk):
    assert compiled.by_pk("test.user", User.objects.all, pk) is None
    assert compiled.exists("test.user", lambda pk: User.objects.filter(pk=pk), pk) is False


def test_no_id_finds_nothing_at_once_and_what_is_not_an_id_is_refused(db):
    assert compiled.by_pk("test.user", User.objects.all, None) is None  # an empty foreign key
    assert compiled.exists("test.user", lambda pk: User.objects.filter(pk=pk), None) is False
    for not_an_id in ("1", 1.0, True):
        with pytest.raises(TypeError):
            compiled.by_pk("test.user", User.objects.all, not_an_id)


def test_a_query_whose_arguments_are_not_plain_parameters_is_refused(db):
    with pytest.raises(RuntimeError, match="other than with an argument"):
        compiled.rows("test.shifted", lambda pk: User.objects.filter(pk=pk + 1), 1)
    with pytest.raises(RuntimeError, match="not each a parameter"):
        compiled.rows("test.ignored", lambda pk: User.objects.all(), 1)
    with pytest.raises(RuntimeError, match="other than with an argument"):  # n - 1 is not d
        compiled.rows(
            "test.neighbours",
            lambda d, n: Revision.objects.filter(document_id=d, number__in=[n - 1, n]),
            1,
            2,
        )
    with pytest.raises(RuntimeError, match="Only model instances"):
        compiled.rows("test.values", lambda pk: User.objects.filter(pk=pk).values("pk"), 1)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused_as_django_refuses_it():
    def locked(pk):
        return User.objects.select_for_update().filter(pk=pk)

    with pytest.raises(TransactionManagementError):
        compiled.rows("test.locked", locked, 1)


def test_rows_kept_by_their_queryset_are_not_updated_around_it(document, author):
    entry = compiled.insert(
        AuditEntry(actor=author, username="author", action=AuditEntry.Action.REPLIED)
    )
    with pytest.raises(ValueError, match="only as its queryset allows"):
        compiled.update(AuditEntry, entry.pk, detail="rewritten")
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_an_insert_is_a_saved_row(document, author):
    event = compiled.insert(
        Event(document_id=document.pk, actor=author, kind=Event.Kind.COMMENTED, summary="ü ✓")
    )
    assert event.pk is not None and not event._state.adding
    stored = Event.objects.get(pk=event.pk)
    assert (stored.summary, stored.actor, stored.created_at) == ("ü ✓", author, event.created_at)
    assert abs(timezone.now() - stored.created_at).total_seconds() < 60


def test_an_insert_with_nulls_and_long_unicode_reads_back_alike(author):
    entry = compiled.insert(
        AuditEntry(
            actor=author, username="author", action=AuditEntry.Action.REPLIED, detail="ü✓" * 250
        )
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.document is None and stored.detail == "ü✓" * 250 and stored.at == entry.at


def test_an_update_changes_only_the_row_named(document, author, collaborator):
    other = make_document(owner=author, title="Other")
    assert compiled.update(Document, document.pk, title="Renamed ✓", owner=collaborator) == 1
    document.refresh_from_db()
    other.refresh_from_db()
    assert (document.title, document.owner) == ("Renamed ✓", collaborator)
    assert other.title == "Other"
    assert compiled.update(Document, 10**9, title="Nobody") == 0


@pytest.mark.django_db(transaction=True)
def test_each_thread_reads_on_its_own_connection():
    someone = User.objects.create_user("someone")
    compiled.by_pk("test.threads", User.objects.all, someone.pk)  # compiled on this thread
    found = []

    def read():
        try:
            # on the main thread's connection, Django would refuse
            found.append(compiled.by_pk("test.threads", User.objects.all, someone.pk))
        finally:
            connections.close_all()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert found == [someone]


def connection_of_a_finished_thread(read) -> weakref.ref:
    """A weak reference to the connection ``read`` ran on, in a thread that has ended."""
    kept = []

    def work():
        try:
            read()
            kept.append(weakref.ref(connections["default"]))
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    gc.collect()
    assert kept
    return kept[0]


@pytest.mark.django_db(transaction=True)
def test_a_finished_threads_connection_is_not_kept_by_what_its_reads_remembered():
    """A read keeps its rows' converters on the connection it ran on (they are its
    backend's methods): once the thread ends, nothing keeps that connection (each request
    of an ASGI server or of runserver runs on a thread of its own)."""
    someone = User.objects.create_user("someone")
    compiled.by_pk("test.gone", User.objects.all, someone.pk)  # compiled on this thread

    def read():
        assert compiled.by_pk("test.gone", User.objects.all, someone.pk) == someone

    assert connection_of_a_finished_thread(read)() is None


@pytest.mark.django_db(transaction=True)
def test_a_read_compiled_on_a_finished_thread_does_not_keep_its_connection():
    someone = User.objects.create_user("someone")

    def compile_and_read():
        assert compiled.by_pk("test.first", User.objects.all, someone.pk) == someone

    assert connection_of_a_finished_thread(compile_and_read)() is None
    assert compiled.by_pk("test.first", User.objects.all, someone.pk) == someone  # still runs


def test_an_insert_or_update_keeps_one_row_per_unique_value(document):
    from reviews.models import GateReport

    revision = document.current_revision
    first = compiled.insert(
        GateReport(revision=revision, findings=[{"a": "ü"}], blockers=1),
        or_update=("findings", "blockers"),
        unique=("revision",),
    )
    again = compiled.insert(
        GateReport(revision=revision, findings=[], blockers=0),
        or_update=("findings", "blockers"),
        unique=("revision",),
    )
    stored = GateReport.objects.get(revision=revision)
    assert first.pk == again.pk == stored.pk
    assert (stored.findings, stored.blockers) == ([], 0)


def test_a_comparison_with_a_32_bit_column_keeps_its_condition(document, author):
    def before(document_pk, number):
        return Revision.objects.filter(document_id=document_pk, number__lt=number).order_by(
            "-number"
        )

    newest = document.current_revision
    found = compiled.rows("test.before", before, document.pk, newest.number)
    assert newest not in found and len(found) == newest.number - 1


def test_an_insert_sends_the_signals_a_save_sends(document, author):
    heard = []

    def before(sender, instance, **kwargs):
        heard.append(("pre_save", instance.pk, instance.summary))
        instance.summary = "changed before the insert"

    def after(sender, instance, created, **kwargs):
        heard.append(("post_save", instance.pk is not None, created))

    pre_save.connect(before, sender=Event, weak=False)
    post_save.connect(after, sender=Event, weak=False)
    try:
        event = compiled.insert(
            Event(document=document, actor=author, kind=Event.Kind.COMMENTED, summary="heard")
        )
    finally:
        pre_save.disconnect(before, sender=Event)
        post_save.disconnect(after, sender=Event)
    assert heard == [("pre_save", None, "heard"), ("post_save", True, True)]
    assert Event.objects.get(pk=event.pk).summary == "changed before the insert"


def test_a_queued_task_is_stored_as_the_library_stores_it(db):
    from django_tasks_db.models import DBTaskResult, get_date_max

    from reviews.tasks import notify_about_comment

    heard = []

    def enqueued(sender, task_result, **kwargs):
        heard.append(task_result.id)

    task_enqueued.connect(enqueued)
    try:
        result = notify_about_comment.enqueue(10**6)
    finally:
        task_enqueued.disconnect(enqueued)
    assert heard == [result.id]
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.run_after == get_date_max() and stored.args_kwargs["args"] == [10**6]
