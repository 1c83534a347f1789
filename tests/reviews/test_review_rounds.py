"""Leadership review: the state machine, verdicts, concerns, stale approvals, the timeline."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from prfaq.content import Content
from prfaq.models import Document
from reviews.gates import Severity
from reviews.models import Event, GateReport, Notification, ReviewRound, Verdict
from reviews.workflow import (
    SubmissionRefused,
    give_verdict,
    raise_concern,
    resolve_concern,
    save_draft,
    submit_for_review,
    warning_key,
    withdraw_review,
)
from tests.conftest import full_content, make_document, make_user
from tests.reviews.test_notifications import run_worker

YES = {"big_idea": "yes", "should_we": "yes", "plan": "yes"}


@pytest.fixture
def leader2(db):
    return make_user("leader2", leader=True)


def acknowledge_all(document: Document) -> dict[str, str]:
    findings = GateReport.for_revision(document.current_revision).finding_list()
    return {warning_key(f): "Known; see FAQ." for f in findings if f.severity == Severity.WARNING}


def submit(document, author, approvers, reviewers=(), **overrides) -> ReviewRound:
    document.refresh_from_db()
    return submit_for_review(
        document=document,
        by=author,
        approvers=list(approvers),
        reviewers=list(reviewers),
        due_date=overrides.pop("due_date", timezone.localdate() + timedelta(days=7)),
        feedback_wanted="Is the plan credible?",
        acknowledgements=overrides.pop("acknowledgements", acknowledge_all(document)),
    )


def verdict(round_, user, decision="approve", answers=YES, rationale="Convincing."):
    return give_verdict(
        round=round_, by=user, answers=answers, notes={}, decision=decision, rationale=rationale
    )


def edit(document, author, text="Skippers of small boats lose a day's catch to misread tides."):
    document.refresh_from_db()
    content = document.current_revision.as_content()
    return save_draft(
        document=document,
        by=author,
        title=document.title,
        content=Content(sections={**content.sections, "problem": text}, faq=content.faq),
        base_version=document.version,
    )


def status_of(document) -> str:
    return Document.objects.get(pk=document.pk).status


def test_a_blocker_refuses_submission(author, leader):
    document = make_document(owner=author, content=Content(sections={"problem": ""}))
    with pytest.raises(SubmissionRefused) as refused:
        submit(document, author, [leader])
    assert refused.value.findings[0].gate == "problem-paragraph"
    assert status_of(document) == "draft" and not ReviewRound.objects.exists()


def test_each_warning_needs_an_acknowledgement(author, leader, document):
    with pytest.raises(ValidationError, match="Acknowledge each gate warning"):
        submit(document, author, [leader], acknowledgements={})


@pytest.mark.parametrize("who", ["teammate", "collaborator", "author"])
def test_approvers_must_be_leaders_who_did_not_write_it(
    who, author, collaborator, teammate, document
):
    people = {"teammate": teammate, "collaborator": collaborator, "author": author}
    with pytest.raises(ValidationError):
        submit(document, author, [people[who]])


def test_only_the_author_submits_and_only_once(author, collaborator, leader, document):
    with pytest.raises(PermissionDenied):
        submit(document, collaborator, [leader])
    submit(document, author, [leader])
    with pytest.raises(ValidationError, match="already in review"):
        submit(document, author, [leader])


def test_submission_pins_the_revision_and_asks_the_people(author, leader, teammate, document):
    round_ = submit(document, author, [leader], [teammate])
    assert round_.revision == document.current_revision and round_.revision.sealed
    assert status_of(document) == "in_review"
    run_worker()
    kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == {("leader", "review_requested"), ("teammate", "review_requested")}
    assert round_.acknowledgements.count() == len(acknowledge_all(document))


def test_every_approver_approving_approves_the_round(author, leader, leader2, teammate, document):
    round_ = submit(document, author, [leader, leader2], [teammate])
    verdict(round_, teammate)  # a reviewer's approval does not decide
    verdict(round_, leader)
    assert ReviewRound.objects.get().state == "open"
    verdict(round_, leader2, rationale="Plan holds up.")
    round_.refresh_from_db()
    assert round_.state == "approved" and round_.decided_revision == document.current_revision
    assert "leader2: Plan holds up." in round_.rationale
    assert status_of(document) == "approved"


def test_an_approval_needs_yes_on_all_three_criteria(author, leader, document):
    round_ = submit(document, author, [leader])
    with pytest.raises(ValidationError, match="all three criteria"):
        verdict(round_, leader, answers=YES | {"plan": "not_yet"})
    assert not Verdict.objects.exists()


def test_one_reject_rejects_and_request_changes_returns_it(author, leader, leader2, document):
    round_ = submit(document, author, [leader, leader2])
    verdict(
        round_, leader, decision="reject", answers=YES | {"big_idea": "no"}, rationale="Too small."
    )
    assert ReviewRound.objects.get().state == "rejected" and status_of(document) == "rejected"
    other = make_document(owner=author, title="Other", content=full_content())
    round2 = submit(other, author, [leader])
    verdict(round2, leader, decision="request_changes", rationale="Size the market.")
    assert status_of(other) == "changes_requested"
    edit(other, author)
    resubmitted = submit(other, author, [leader])
    assert resubmitted.number == 2 and status_of(other) == "in_review"


def test_decided_rounds_refuse_further_verdicts(author, leader, document):
    round_ = submit(document, author, [leader])
    verdict(round_, leader)
    with pytest.raises(ValidationError, match="approved; nothing can change it now"):
        verdict(round_, leader, decision="reject", rationale="Changed my mind.")


def test_withdrawn_rounds_refuse_verdicts(author, leader, document):
    round_ = submit(document, author, [leader])
    withdraw_review(round=round_, by=author)
    assert status_of(document) == "draft"
    with pytest.raises(ValidationError, match="withdrawn"):
        verdict(round_, leader)


def test_only_assigned_people_give_verdicts(author, leader, leader2, collaborator, document):
    round_ = submit(document, author, [leader])
    for outsider in (leader2, collaborator, author):
        with pytest.raises(PermissionDenied):
            verdict(round_, outsider)


def test_a_blocking_concern_blocks_approval_until_its_raiser_resolves_it(
    author, leader, teammate, document
):
    round_ = submit(document, author, [leader], [teammate])
    concern = raise_concern(round=round_, by=teammate, text="The market size is a guess.")
    verdict(round_, leader)
    assert ReviewRound.objects.get().state == "open"
    with pytest.raises(PermissionDenied):
        resolve_concern(concern=concern, by=author)
    resolve_concern(concern=concern, by=teammate)
    assert ReviewRound.objects.get().state == "approved"


def test_an_edit_during_review_dismisses_older_approvals(author, leader, leader2, document):
    round_ = submit(document, author, [leader, leader2])
    verdict(round_, leader)
    result = edit(document, author)
    dismissed = Verdict.objects.get(reviewer=leader)
    assert dismissed.is_dismissed and dismissed.dismissed_by == result.revision
    note = Event.objects.get(kind="dismissed").summary
    assert (
        f"Revision {result.revision.number} by" in note
        and "leader's approval of revision 1" in note
    )
    verdict(round_, leader2)
    assert ReviewRound.objects.get().state == "open"  # leader's approval was of older text
    verdict(round_, leader)
    round_.refresh_from_db()
    assert round_.state == "approved" and round_.decided_revision == result.revision


def test_an_edit_after_approval_reopens_a_draft_with_the_approval_pinned(
    client, author, leader, teammate, document
):
    round_ = submit(document, author, [leader])
    verdict(round_, leader, rationale="Ship it.")
    approved = document.current_revision
    edit(document, author)
    assert status_of(document) == "draft"
    client.force_login(teammate)
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert f"Approved text: revision {approved.number}" in page
    assert "Changed since approval" in page
    assert reverse("prfaq:revision", args=[document.pk, approved.number]) in page
    assert "Ship it." in page


def test_the_timeline_is_append_only(author, leader, document):
    round_ = submit(document, author, [leader])
    verdict(round_, leader)
    event = Event.objects.first()
    event.summary = "rewritten history"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        Event.objects.update(summary="rewritten history")
    with pytest.raises(ValidationError):
        Event.objects.filter(pk=event.pk).delete()
    kinds = list(Event.objects.values_list("kind", flat=True))
    assert kinds == ["submitted", "verdict", "decision"]


def test_comments_and_edits_are_on_the_timeline(client, author, teammate, document):
    client.force_login(teammate)
    client.post(
        reverse("reviews:thread_new", args=[document.pk]), {"section": "problem", "body": "Hm"}
    )
    Revision = document.current_revision.__class__
    Revision.objects.filter(document=document).update(sealed=True)
    edit(document, author)
    client.force_login(author)
    page = client.get(reverse("reviews:timeline", args=[document.pk])).content.decode()
    assert "teammate commented on problem." in page and "saved revision 2" in page


@pytest.mark.parametrize(
    "action",
    ["verdict", "withdraw", "concern", "resolve"],
)
def test_nothing_changes_a_decided_round(action, author, leader, teammate, document):
    round_ = submit(document, author, [leader], [teammate])
    concern = raise_concern(round=round_, by=teammate, text="Worry")
    resolve_concern(concern=concern, by=teammate)
    concern = raise_concern(round=round_, by=teammate, text="Second worry")
    verdict(round_, leader, decision="reject", answers=YES | {"plan": "no"}, rationale="No.")
    events = Event.objects.count()
    act = {
        "verdict": lambda: verdict(round_, teammate),
        "withdraw": lambda: withdraw_review(round=round_, by=author),
        "concern": lambda: raise_concern(round=round_, by=teammate, text="Late"),
        "resolve": lambda: resolve_concern(concern=concern, by=teammate),
    }[action]
    with pytest.raises(ValidationError, match="rejected; nothing can change it now"):
        act()
    assert Event.objects.count() == events
    assert ReviewRound.objects.get().state == "rejected"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("teammate", 200),
        ("collaborator", 200),
        ("reviewer", 200),
        ("approver", 200),
        ("other_leader", 200),
        ("author", 200),
    ],
)
def test_who_reaches_a_restricted_round(
    client, who, status, author, collaborator, outsider, teammate, leader, leader2
):
    document = make_document(
        owner=author,
        title="Secret",
        content=full_content(),
        collaborators=[collaborator],
        restricted=True,
    )
    reviewer = make_user("reviewer")
    round_ = submit(document, author, [leader], [reviewer])
    people = {
        "outsider": outsider,
        "teammate": teammate,
        "collaborator": collaborator,
        "reviewer": reviewer,
        "approver": leader,
        "other_leader": leader2,
        "author": author,
    }
    expected = {"teammate": 404}.get(who, status)
    if who != "anonymous":
        client.force_login(people[who])
    response = client.get(reverse("reviews:round", args=[document.pk, round_.number]))
    assert response.status_code == expected
    can_judge = who in ("reviewer", "approver")
    if response.status_code == 200:
        assert ("Record verdict" in response.content.decode()) == can_judge


def test_review_pages_and_their_permissions(client, author, leader, teammate, outsider, restricted):
    round_ = submit(restricted, author, [leader], [teammate])
    url = reverse("reviews:round", args=[restricted.pk, round_.number])
    client.force_login(teammate)  # a reviewer may read the restricted document now
    page = client.get(url).content.decode()
    assert "Review round 1" in page and "Record verdict" in page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("reviews:timeline", args=[restricted.pk])).status_code == 404
    response = client.post(reverse("reviews:verdict", args=[restricted.pk, 1]), YES)
    assert response.status_code == 404


def test_forged_verdicts_and_approvers_are_refused(client, author, leader, teammate, document):
    client.force_login(author)
    response = client.post(
        reverse("reviews:submit", args=[document.pk]),
        {"approvers": [teammate.pk], "due_date": "2099-01-01"}
        | {f"ack_{k}": v for k, v in acknowledge_all(document).items()},
    )
    assert response.status_code == 400 and not ReviewRound.objects.exists()
    round_ = submit(document, author, [leader])
    client.force_login(teammate)  # not assigned
    data = YES | {"decision": "approve", "rationale": "Forged.", "revision": 1}
    response = client.post(reverse("reviews:verdict", args=[document.pk, round_.number]), data)
    assert response.status_code == 403
    assert not Verdict.objects.exists()


def test_verdict_form_round_trip_through_the_page(client, author, leader, document):
    round_ = submit(document, author, [leader])
    client.force_login(leader)
    url = reverse("reviews:verdict", args=[document.pk, round_.number])
    seen = {"revision": document.current_revision.number}
    bad = client.post(url, YES | seen | {"plan": "no", "decision": "approve", "rationale": "x"})
    assert bad.status_code == 400 and "all three criteria" in bad.content.decode()
    good = client.post(url, YES | seen | {"decision": "approve", "rationale": "Clear."})
    assert good.status_code == 302
    assert client.get(reverse("prfaq:dashboard")).status_code == 200
    assert status_of(document) == "approved"


def test_awaiting_my_review_on_the_dashboard(client, author, leader, document):
    round_ = submit(document, author, [leader], due_date=timezone.localdate())
    ReviewRound.objects.filter(pk=round_.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(leader)
    page = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "Awaiting your review" in page and "Overdue" in page


def test_submit_page_shows_blockers_and_warnings_to_acknowledge(client, author, document):
    client.force_login(author)
    page = client.get(reverse("reviews:submit", args=[document.pk])).content.decode()
    assert "Gate warnings to acknowledge" in page
    empty = make_document(owner=author, title="Empty")
    page = client.get(reverse("reviews:submit", args=[empty.pk])).content.decode()
    assert "The review gates found blockers" in page


def test_review_page_queries_are_bounded(client, author, leader, django_assert_max_num_queries):
    document = make_document(owner=author, content=full_content())
    people = [make_user(f"r{i}") for i in range(30)]
    rounds = []
    for _ in range(19):
        round_ = submit(document, author, [leader], people)
        withdraw_review(round=round_, by=author)
        rounds.append(round_)
    round_ = submit(document, author, [leader], people)
    for person in people:
        verdict(round_, person, decision="request_changes", rationale="More.")
    from reviews.models import Comment, Thread

    thread = Thread.start(
        document=document, revision=document.current_revision, section="problem", quote="",
        by=people[0], body="First",
    )  # fmt: skip
    Comment.objects.bulk_create(
        Comment(thread=thread, author=people[i % 30], body=f"c{i}", body_html=f"<p>c{i}</p>")
        for i in range(300)
    )
    client.force_login(leader)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reviews:round", args=[document.pk, round_.number]))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        dashboard = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "Awaiting your review" in dashboard


def test_due_reminders_go_once_to_people_without_a_verdict(author, leader, teammate, document):
    from django.core.management import call_command

    round_ = submit(document, author, [leader], [teammate], due_date=timezone.localdate())
    verdict(round_, teammate, decision="request_changes", rationale="Needs numbers.")
    call_command("remind_due_reviews")
    run_worker()
    call_command("remind_due_reviews")
    run_worker()
    reminders = Notification.objects.filter(kind="due_soon")
    assert list(reminders.values_list("recipient__username", flat=True)) == ["leader"]


def test_the_round_page_shows_what_changed_since_the_last_round(client, author, leader, document):
    round1 = submit(document, author, [leader])
    verdict(round1, leader, decision="request_changes", rationale="Tighten the problem.")
    edit(document, author, text="Skippers of small boats lose a week's catch to misread tides.")
    round2 = submit(document, author, [leader])
    client.force_login(leader)
    page = client.get(reverse("reviews:round", args=[document.pk, round2.number])).content.decode()
    assert "What changed since round 1 (1 section)" in page
    assert "<del>day" in page and "<ins>week" in page


def test_a_verdict_on_text_that_changed_since_the_page_loaded_is_refused(
    client, author, leader, document
):
    round_ = submit(document, author, [leader])
    client.force_login(leader)
    seen = document.current_revision.number
    edit(document, author)
    response = client.post(
        reverse("reviews:verdict", args=[document.pk, round_.number]),
        YES | {"decision": "approve", "rationale": "Fine.", "revision": seen},
    )
    assert response.status_code == 400
    assert "The text changed since you loaded the page" in response.content.decode()
    assert not Verdict.objects.exists()


def test_only_people_in_the_round_raise_concerns(author, leader, teammate, leader2, document):
    round_ = submit(document, author, [leader])
    for stranger in (teammate, leader2):
        with pytest.raises(PermissionDenied):
            raise_concern(round=round_, by=stranger, text="Block it")
    raise_concern(round=round_, by=author, text="Hold on, fixing the numbers.")


def test_an_approver_made_a_collaborator_no_longer_counts(author, leader, leader2, document):
    round_ = submit(document, author, [leader, leader2])
    verdict(round_, leader)
    document.set_sharing(restricted=False, collaborators=[leader])
    verdict(round_, leader2)
    assert ReviewRound.objects.get().state == "open"


def test_an_approver_removed_from_leadership_cannot_approve(author, leader, document):
    round_ = submit(document, author, [leader])
    leader.groups.clear()
    del leader.is_leader
    with pytest.raises(PermissionDenied, match="no longer one"):
        verdict(round_, leader)


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_decided_documents_need_an_edit_before_a_new_round(decision, author, leader, document):
    round_ = submit(document, author, [leader])
    answers = YES if decision == "approve" else YES | {"big_idea": "no"}
    verdict(round_, leader, decision=decision, answers=answers)
    with pytest.raises(ValidationError, match="edit it before submitting it again"):
        submit(document, author, [leader])
    edit(document, author)
    assert status_of(document) == "draft"
    assert submit(document, author, [leader]).number == 2


def test_reviewers_hear_of_edits_during_the_round(author, leader, teammate, document):
    submit(document, author, [leader], [teammate])
    run_worker()
    edit(document, author)
    run_worker()
    kinds = set(
        Notification.objects.filter(kind="edited").values_list("recipient__username", flat=True)
    )
    assert kinds == {"leader", "teammate"}


def test_double_clicks_change_nothing_twice(author, leader, teammate, document):
    round_ = submit(document, author, [leader], [teammate])
    verdict(round_, teammate, decision="request_changes", rationale="More.")
    verdict(round_, teammate, decision="request_changes", rationale="More.")
    assert Event.objects.filter(kind="verdict").count() == 1
    concern = raise_concern(round=round_, by=teammate, text="Wait")
    verdict(round_, leader)
    resolve_concern(concern=concern, by=teammate)
    assert ReviewRound.objects.get().state == "approved"
    resolve_concern(concern=concern, by=teammate)  # the second click: no error


def test_a_submission_of_text_changed_since_the_form_is_refused(author, leader, document):
    seen = document.current_revision.number
    edit(document, author)
    with pytest.raises(ValidationError, match="changed since you opened this form"):
        submit_for_review(
            document=document,
            by=author,
            approvers=[leader],
            reviewers=[],
            due_date=timezone.localdate(),
            feedback_wanted="",
            acknowledgements=acknowledge_all(document),
            seen_revision=seen,
        )


def hidden(page: str, *names: str) -> dict[str, str]:
    """The values of a form's hidden fields, as the browser would send them back."""
    return {name: re.search(rf'name="{name}" value="(\d+)"', page)[1] for name in names}


def test_a_verdict_on_an_autosave_rewritten_since_the_page_loaded_is_refused(
    client, author, leader, document
):
    round_ = submit(document, author, [leader])
    edit(document, author, text="Skippers lose a day's catch to misread tides, twice a month.")
    url = reverse("reviews:round", args=[document.pk, round_.number])
    client.force_login(leader)
    seen = hidden(client.get(url).content.decode(), "revision", "version")
    # The author's next autosave folds into the same revision: same number, other text.
    edit(document, author, text="Skippers lose a week's catch to misread tides, twice a month.")
    assert document.current_revision.number == int(seen["revision"])
    response = client.post(
        reverse("reviews:verdict", args=[document.pk, round_.number]),
        YES | seen | {"decision": "approve", "rationale": "Fine."},
    )
    assert response.status_code == 400
    assert "The text changed since you loaded the page" in response.content.decode()
    assert not Verdict.objects.exists()
    assert ReviewRound.objects.get().state == "open"


def test_a_submission_of_an_autosave_rewritten_since_the_form_is_refused(
    client, author, leader, document
):
    edit(document, author, text="Skippers lose a day's catch to misread tides, twice a month.")
    url = reverse("reviews:submit", args=[document.pk])
    client.force_login(author)
    seen = hidden(client.get(url).content.decode(), "revision", "version")
    edit(document, author, text="Skippers lose a week's catch to misread tides, twice a month.")
    assert document.current_revision.number == int(seen["revision"])
    data = seen | {"approvers": [leader.pk], "due_date": "2099-01-01"}
    data |= {f"ack_{k}": v for k, v in acknowledge_all(document).items()}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "changed since you opened this form" in response.content.decode()
    assert not ReviewRound.objects.exists()
    # The page now carries the text it shows: submitting again goes through.
    again = data | hidden(response.content.decode(), "revision", "version")
    assert client.post(url, again).status_code == 302
    assert ReviewRound.objects.get().revision == Document.objects.get().current_revision


def test_huge_ids_in_the_approver_list_are_a_clear_error(client, author, leader, document):
    client.force_login(author)
    response = client.post(
        reverse("reviews:submit", args=[document.pk]),
        {"approvers": ["99999999999999999999"], "due_date": "2099-01-01", "revision": 1},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
