"""Concurrent verdicts and edits on PostgreSQL: no lost verdict, no approval of unapproved text."""

import threading

import pytest
from django.db import connection, connections

from prfaq.models import Document
from reviews.models import ReviewRound, Verdict
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
