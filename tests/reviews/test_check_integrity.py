"""check_integrity: operators learn of any inconsistency after a crash or a restore."""

import pytest
from django.core.management import call_command

from prfaq.models import Document, Revision
from reviews.models import Assignment, Comment, Event, ReviewRound, Thread, Verdict
from reviews.workflow import raise_concern, resolve_concern, withdraw_review
from tests.conftest import full_content, make_document
from tests.reviews.test_review_rounds import edit, submit, verdict


def check(capsys) -> tuple[int, str]:
    try:
        call_command("check_integrity")
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_a_healthy_database_passes(capsys, author, leader):
    document = make_document(owner=author, content=full_content())
    round_ = submit(document, author, [leader])
    verdict(round_, leader)
    edit(document, author)
    call_command("check_integrity")
    assert "Everything is consistent." in capsys.readouterr().out


def test_every_step_of_a_review_keeps_it_consistent(capsys, author, leader, teammate):
    """Approved, withdrawn, changes requested, concerns, comments, edits after approval."""
    document = make_document(owner=author, content=full_content())
    Thread.start(document=document, revision=document.current_revision, section="problem",
                 quote="", by=teammate, body="How many landlords?")  # fmt: skip
    first = submit(document, author, [leader], [teammate])
    concern = raise_concern(round=first, by=teammate, text="Where are the numbers?")
    resolve_concern(concern=concern, by=teammate)
    withdraw_review(round=first, by=author)
    second = submit(document, author, [leader])
    verdict(second, leader, decision="request_changes")
    edit(document, author)
    third = submit(document, author, [leader])
    verdict(third, leader)
    edit(document, author, text="Landlords lose two evenings a month to rent reconciliation.")
    assert check(capsys) == (0, "Everything is consistent.\n")


def test_seeded_data_is_consistent(capsys, db):
    call_command("seed_scale", "--documents", "6", "--comments-per-document", "3")
    capsys.readouterr()
    assert check(capsys) == (0, "Everything is consistent.\n")


@pytest.mark.parametrize("damage", ["status", "current_revision", "round_revision"])
def test_damage_is_found_and_exits_1(capsys, damage, author, leader, document):
    other = make_document(owner=author, title="Other", content=full_content())
    round_ = submit(document, author, [leader])
    if damage == "status":
        Document.objects.filter(pk=document.pk).update(status="draft")
        expected = "open round but not in review"
    elif damage == "current_revision":
        Document.objects.filter(pk=document.pk).update(current_revision=other.current_revision)
        expected = f"document {document.pk}: current revision belongs to document {other.pk}"
    else:
        ReviewRound.objects.filter(pk=round_.pk).update(revision=other.current_revision)
        expected = f"round {round_.pk}: its revision belongs to another document"
    with pytest.raises(SystemExit) as exit_:
        call_command("check_integrity")
    assert exit_.value.code == 1
    assert expected in capsys.readouterr().out


def _event(round_, kind, **fields) -> Event:
    return Event.objects.create(
        document=round_.document, round=round_, kind=kind, summary="Forged.", **fields
    )


DAMAGE = {
    "a gap in revision numbers": (
        lambda doc, round_, leader: Revision.objects.filter(document=doc, number=1).update(
            number=7
        ),
        "revisions numbered 2 to 7 but there are 2 (a gap)",
    ),
    "a round with no approver": (
        lambda doc, round_, leader: Assignment.objects.filter(round=round_).delete(),
        "no approver assigned",
    ),
    "an unsealed revision under a round": (
        lambda doc, round_, leader: Revision.objects.filter(pk=round_.revision_id).update(
            sealed=False
        ),
        "has a round but is not sealed",
    ),
    "a submission event without its round": (
        lambda doc, round_, leader: Event.objects.create(
            document=doc, kind=Event.Kind.SUBMITTED, summary="Forged."
        ),
        "submitted without its round",
    ),
    "a second submission event": (
        lambda doc, round_, leader: _event(round_, Event.Kind.SUBMITTED, revision=round_.revision),
        "2 submitted events",
    ),
    "a decision the round does not have": (
        lambda doc, round_, leader: _event(round_, Event.Kind.DECISION),
        "a decision round",
    ),
    "a verdict nobody gave": (
        lambda doc, round_, leader: _event(round_, Event.Kind.VERDICT, actor=doc.owner),
        "a verdict in round",
    ),
    "a withdrawal that did not happen": (
        lambda doc, round_, leader: _event(round_, Event.Kind.WITHDRAWN),
        "a withdrawal of round",
    ),
    "an edit told twice": (
        lambda doc, round_, leader: Event.objects.create(
            document=doc, kind=Event.Kind.EDITED, revision=doc.current_revision, summary="Again."
        ),
        "2 edit events",
    ),
    "a comment event without a comment": (
        lambda doc, round_, leader: Event.objects.create(
            document=doc, kind=Event.Kind.COMMENTED, summary="Forged."
        ),
        "1 comment events but 0 comments",
    ),
    "an approved document whose round is open": (
        lambda doc, round_, leader: Document.objects.filter(pk=doc.pk).update(status="approved"),
        "approved but its latest round is open",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_each_kind_of_inconsistency_is_named(capsys, damage, author, leader):
    document = make_document(owner=author, content=full_content())
    edit(document, author)  # revision 2, told by an edit event
    round_ = submit(document, author, [leader])
    document.refresh_from_db()
    assert check(capsys)[0] == 0
    harm, expected = DAMAGE[damage]
    harm(document, round_, leader)
    code, out = check(capsys)
    assert code == 1
    assert expected in out


def test_an_approval_counted_for_another_revision_is_found(capsys, author, leader):
    document = make_document(owner=author, content=full_content())
    round_ = submit(document, author, [leader])
    verdict(round_, leader)
    assert ReviewRound.objects.get(pk=round_.pk).state == "approved"
    older = make_document(owner=author, content=full_content()).current_revision
    Verdict.objects.filter(round=round_).update(revision=older)
    code, out = check(capsys)
    assert code == 1
    assert f"round {round_.pk}: approved, but 0 of its 1 approvers approved" in out


def test_a_comment_deleted_by_hand_leaves_its_event_unexplained(capsys, author, teammate):
    document = make_document(owner=author, content=full_content())
    thread = Thread.start(document=document, revision=document.current_revision,
                          section="problem", quote="", by=teammate, body="Numbers?")  # fmt: skip
    thread.reply(by=author, body="Coming.")
    assert check(capsys)[0] == 0
    Comment.objects.filter(thread=thread, author=author).delete()
    code, out = check(capsys)
    assert code == 1
    assert f"document {document.pk}: 2 comment events but 1 comments" in out
