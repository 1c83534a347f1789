"""Concurrent verdicts and edits on PostgreSQL: no lost verdict, no approval of unapproved text."""

import threading

import pytest
from django.db import connection, connections, transaction

from prfaq.models import Document, Revision
from reviews.models import ReviewRound, Thread, Verdict, section_digest
from tests.conftest import full_content, make_document, make_user
from tests.reviews.test_review_rounds import edit, submit, verdict

pytestmark = pytest.mark.django_db(transaction=True)


def race(*actions) -> list[Exception]:
    """Run the actions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(actions))
    errors: list[Exception] = []

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every write anyway")


def test_concurrent_verdicts_are_all_kept_and_approve_once():
    author = make_user("author")
    leaders = [make_user(f"leader{i}", leader=True) for i in range(4)]
    document = make_document(owner=author, content=full_content())
    round_ = submit(document, author, leaders)
    for _ in range(3):
        errors = race(*[lambda u=u: verdict(round_, u) for u in leaders])
        if not errors:
            break
    assert errors == []
    assert Verdict.objects.filter(round=round_).count() == 4
    round_.refresh_from_db()
    assert round_.state == "approved"
    assert Document.objects.get(pk=document.pk).status == "approved"


def test_an_edit_racing_the_last_approval_never_approves_unapproved_text():
    for attempt in range(5):
        author = make_user(f"author{attempt}")
        leader = make_user(f"boss{attempt}", leader=True)
        document = make_document(owner=author, title=f"Race {attempt}", content=full_content())
        round_ = submit(document, author, [leader])
        text = f"Skippers lose a day's catch {attempt} times."
        race(
            lambda r=round_, u=leader: verdict(r, u),
            lambda d=document, a=author, t=text: edit(d, a, text=t),
        )
        round_.refresh_from_db()
        document.refresh_from_db()
        if round_.state == ReviewRound.State.APPROVED:
            approval = Verdict.objects.get(round=round_, reviewer=leader)
            assert round_.decided_revision_id == approval.revision_id
            assert not approval.is_dismissed
        else:
            assert round_.state == ReviewRound.State.OPEN
            assert Verdict.objects.get(round=round_).is_dismissed


def in_order(holder, waiter) -> list[Exception]:
    """``holder`` locks first and finishes only once ``waiter`` is blocked on a lock."""
    locked, errors = threading.Event(), []
    release = threading.Event()

    def run(action, *args):
        try:
            action(*args)
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=(holder, locked, release))
    first.start()
    assert locked.wait(timeout=30)
    second = threading.Thread(target=run, args=(waiter,))
    second.start()
    with connection.cursor() as cursor:
        for _ in range(3000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    return errors


def locking_then(action):
    """A save under way: the document locked, then ``action`` in the same transaction."""

    def hold(locked, release):
        with transaction.atomic():
            Document.objects.select_for_update().get(pk=Document.objects.get().pk)
            locked.set()
            release.wait(timeout=30)
            action()

    return hold


def test_a_submission_waiting_for_a_save_submits_the_saved_revision():
    author, leader = make_user("author"), make_user("leader", leader=True)
    document = make_document(owner=author, content=full_content())
    problem = full_content().section("problem")
    errors = in_order(
        locking_then(lambda: edit(Document.objects.get(), author, text=f"{problem} Every week.")),
        lambda: submit(document, author, [leader]),
    )
    assert errors == []
    round_ = ReviewRound.objects.get()
    assert round_.revision_id == Document.objects.get().current_revision_id
    assert round_.revision.as_content().section("problem") == f"{problem} Every week."


def test_a_comment_racing_an_autosave_neither_deadlocks_nor_lets_its_revision_change():
    author, teammate = make_user("author"), make_user("teammate")
    document = make_document(owner=author, content=full_content())
    edit(document, author)  # an autosave: revision 2, open for more of the author's autosaves
    document.refresh_from_db()
    shown = document.current_revision  # the page the commenter read
    new_text = "Skippers of small boats lose 40 days a year to misread tides."
    errors = in_order(
        locking_then(lambda: edit(Document.objects.get(), author, text=new_text)),
        lambda: Thread.start(
            document=document,
            revision=shown,
            section="problem",
            quote="",
            by=teammate,
            body="How many skippers?",
        ),
    )
    assert errors == []
    thread = Thread.objects.get()
    revision = Revision.objects.get(pk=thread.revision_id)
    assert revision.sealed
    assert revision.as_content().section("problem") == new_text
    assert thread.section_digest == section_digest(new_text)
    edit(Document.objects.get(), author, text="Later text.")
    assert Revision.objects.get(pk=revision.pk).as_content().section("problem") == new_text
