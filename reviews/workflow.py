"""Rules that span drafting and review, each one plain function in one transaction."""

import dataclasses
import hashlib
import uuid
from html import unescape

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from prfaq.content import Content, FaqEntry
from prfaq.cues import sentences
from prfaq.document_templates import DocumentTemplate
from prfaq.models import Document, EditConflict, Revision, SaveResult
from reviews.gates import Draft, Finding, Severity, run_gates
from reviews.models import (
    COMMENT_MAX_CHARS,
    CRITERIA,
    Acknowledgement,
    Answer,
    Assignment,
    Comment,
    Concern,
    Event,
    GateReport,
    ReviewRound,
    Thread,
    Verdict,
)


@transaction.atomic
def start_document(
    *, owner, title: str, template: DocumentTemplate, token: uuid.UUID | None = None
) -> Document:
    """A new draft from a template, checked by the gates from its first revision."""
    document = Document.start(owner=owner, title=title, template=template, token=token)
    GateReport.for_revision(document.current_revision)
    return document


@transaction.atomic(savepoint=False)  # as Document.save_content: no savepoint of its own
def save_draft(
    *,
    document: Document,
    by,
    title: str,
    content: Content,
    base_version: int,
    checkpoint: bool = False,
    partial: bool = False,
    findings: list[Finding] | None = None,
) -> SaveResult:
    """Save the editor's text (see ``Document.save_content``) and re-run the gates on it,
    or store ``findings``, what ``check_draft`` found in the same title and text."""
    content = _own_threads_only(document, content)
    result = document.save_content(
        by=by,
        title=title,
        content=content,
        base_version=base_version,
        checkpoint=checkpoint,
        partial=partial,
    )
    if result.changed:
        GateReport.record(result.revision, findings=findings)
        after_edit(document=document, result=result, by=by)
    return result


def check_draft(*, document: Document, title: str, content: Content) -> list[Finding]:
    """What the gates find in a title and text about to be saved. They read nothing else,
    so a save runs them before its transaction (on SQLite, the whole database's write
    lock) and ``save_draft`` only stores what they found."""
    return run_gates(Draft(content, document.outline, title))


def refuse_if_stale(
    *, document: Document, title: str, content: Content, base_version: int, partial: bool = False
):
    """Raise EditConflict for a save that ``save_draft`` would refuse, without its lock.

    A save based on an old version with a text other than the current one is refused
    whenever it is made: versions only grow; a ``partial`` one (see
    ``Document.save_content``) whatever its text. Asked before the save's transaction, the
    refusal holds no lock (on SQLite, the whole database's) while other saves wait.
    """
    if base_version == document.version:
        return
    if partial:
        raise EditConflict(document)
    current = (
        Revision.objects.select_related("author")
        .defer("rendered")
        .get(pk=document.current_revision_id)
    )
    content = _own_threads_only(document, content)
    if title != current.title or content != current.as_content():
        raise EditConflict(document, current)


def _own_threads_only(document: Document, content: Content) -> Content:
    """FAQ entries link only to threads of their own document: the thread id comes back from
    a hidden form field, so it is checked, not trusted."""
    linked = {entry.thread for entry in content.faq if entry.thread}
    if not linked:
        return content
    own = set(document.threads.filter(pk__in=linked).values_list("pk", flat=True))
    if linked <= own:
        return content
    faq = tuple(
        dataclasses.replace(entry, thread=None) if entry.thread not in own | {None} else entry
        for entry in content.faq
    )
    return Content(sections=content.sections, faq=faq)


@transaction.atomic
def add_thread_to_faq(*, thread, by) -> int:
    """Turn the question a thread raises into a new FAQ entry; returns its number.

    The entry links back to the thread, and the thread records it. Editors only.
    """
    if not Document.objects.get(pk=thread.document_id).is_editor(by):
        raise PermissionDenied("Only the author and collaborators can change the FAQ.")
    # The thread's row locked before the document's, in the order a reply and resolving
    # take them: the other way round, each could wait for the other.
    claimed = Thread.objects.filter(pk=thread.pk, faq_added_at__isnull=True).update(
        faq_added_at=timezone.now()
    )
    if not claimed:  # a double click, or someone else got there first
        raise ValidationError("This thread's question is already in the FAQ.")
    document = Document.objects.select_for_update().get(pk=thread.document_id)
    first = thread.comments.filter(deleted_at__isnull=True).order_by("created_at", "pk").first()
    if first is None:
        raise ValidationError("The thread has no comment left to take a question from.")
    question = question_from(first.body_html)
    revision = document.current_revision
    content = revision.as_content()
    faq = (*content.faq, FaqEntry(question=question, side="internal", thread=thread.pk))
    save_draft(
        document=document,
        by=by,
        title=revision.title,
        content=Content(sections=content.sections, faq=faq),
        base_version=document.version,
        checkpoint=True,
    )
    Comment.objects.create(
        thread=thread,
        author=by,
        body=f"Added to the FAQ as question {len(faq)}.",
        body_html=f"<p><em>Added to the FAQ as question {len(faq)}.</em></p>",
    )
    return len(faq)


def question_from(html: str) -> str:
    """The question a comment asks: its first sentence ending in "?", else its first line.
    Read from the HTML stored with the comment, not rendered again under the locks."""
    text = " ".join(strip_tags(html).split())
    for sentence in sentences(text):
        if sentence.endswith("?"):
            return unescape(sentence)[:1000]
    return unescape(text)[:1000]


# -- Leadership review --------------------------------------------------------------------


class SubmissionRefused(ValidationError):
    """The gates found blockers: the findings say what to fix."""

    def __init__(self, findings: list) -> None:
        super().__init__("The review gates found blockers; fix them before submitting.")
        self.findings = findings


def warning_key(finding) -> str:
    """A stable name for a gate warning, to match its acknowledgement in a form."""
    digest = hashlib.sha256(f"{finding.gate}|{finding.section}|{finding.message}".encode())
    return digest.hexdigest()[:16]


def _locked(document: Document) -> Document:
    """The document, locked; its current revision is read after the lock, not joined to it.

    A locking query that waited for a concurrent save re-reads only the locked row:
    PostgreSQL would join the new current revision's id to nothing (the revision was
    not yet committed when the query began), and the document would have none.
    """
    locked = Document.objects.select_for_update().get(pk=document.pk)
    locked.current_revision = Revision.objects.get(pk=locked.current_revision_id)
    return locked


def _event(document, kind, *, actor=None, round=None, summary: str, revision=None) -> Event:
    event = Event.objects.create(
        document=document, round=round, actor=actor, kind=kind, summary=summary, revision=revision
    )
    from reviews.tasks import notify_about_event

    notify_about_event.enqueue(event.pk)
    return event


@transaction.atomic
def submit_for_review(
    *,
    document: Document,
    by,
    approvers: list,
    reviewers: list,
    due_date,
    feedback_wanted: str,
    acknowledgements: dict[str, str],
    seen_revision: int | None = None,
    seen_version: int | None = None,
) -> ReviewRound:
    """Open a review round on the current revision, if the gates and the rules allow.

    ``seen_revision`` and ``seen_version`` are the revision number and document version the
    author's form showed: if someone saved since (an autosave may rewrite the newest
    revision in place, keeping its number), the submission is refused rather than sending
    text the author did not check.
    """
    document = _locked(document)
    if by.pk != document.owner_id:
        raise PermissionDenied("Only the document's author can submit it for review.")
    if document.status == Document.Status.IN_REVIEW:
        raise ValidationError("This document is already in review.")
    if document.status in (Document.Status.APPROVED, Document.Status.REJECTED):
        raise ValidationError(
            f"This document was {document.get_status_display().lower()}; edit it before "
            "submitting it again."
        )
    if _changed_since(document, seen_revision, seen_version):
        raise ValidationError(
            f"The document changed since you opened this form (it is now revision "
            f"{document.current_revision.number}); check it and submit again."
        )
    editors = {document.owner_id, *document.collaborators.values_list("pk", flat=True)}
    approver_ids = {u.pk for u in approvers}
    if not approver_ids:
        raise ValidationError("Name at least one approver from Leadership.")
    if approver_ids & editors:
        raise ValidationError("Authors and collaborators cannot approve their own document.")
    if any(not u.is_leader or not u.is_active for u in approvers):
        raise ValidationError("Approvers must be active members of Leadership.")
    reviewer_list = [u for u in reviewers if u.pk not in approver_ids and u.pk != by.pk]
    if due_date < timezone.localdate():
        raise ValidationError("The due date is in the past.")
    revision = document.current_revision
    findings = GateReport.for_revision(revision).finding_list()
    blockers = [f for f in findings if f.severity == Severity.BLOCKER]
    if blockers:
        raise SubmissionRefused(blockers)
    warnings = [f for f in findings if f.severity == Severity.WARNING]
    missing = [f for f in warnings if not acknowledgements.get(warning_key(f), "").strip()]
    if missing:
        raise ValidationError(
            f"Acknowledge each gate warning with a short note ({len(missing)} without one)."
        )
    revision.seal()
    number = (document.rounds.aggregate(n=models.Max("number"))["n"] or 0) + 1
    round_ = ReviewRound.objects.create(
        document=document,
        number=number,
        revision=revision,
        submitted_by=by,
        due_date=due_date,
        feedback_wanted=feedback_wanted.strip(),
    )
    Assignment.objects.bulk_create(
        [Assignment(round=round_, user=u, role=Assignment.Role.APPROVER) for u in approvers]
        + [Assignment(round=round_, user=u, role=Assignment.Role.REVIEWER) for u in reviewer_list]
    )
    Acknowledgement.objects.bulk_create(
        Acknowledgement(
            round=round_,
            gate=f.gate,
            section=f.section,
            message=f.message,
            note=acknowledgements[warning_key(f)].strip()[:500],
        )
        for f in warnings
    )
    document.readers.add(*approvers, *reviewer_list)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.IN_REVIEW)
    _event(
        document,
        Event.Kind.SUBMITTED,
        actor=by,
        round=round_,
        revision=revision,
        summary=f"{by.display_name} submitted revision {revision.number} for review "
        f"(round {number}, due {due_date:%d %b %Y}).",
    )
    return round_


def _changed_since(document: Document, seen_revision: int | None, seen_version: int | None):
    """Whether the text differs from the one a form was drawn with (each check only when
    the form sent what it needs)."""
    return (seen_revision is not None and seen_revision != document.current_revision.number) or (
        seen_version is not None and seen_version != document.version
    )


def _locked_round(round_: ReviewRound) -> ReviewRound:
    """The round, locked with its document. Callers check who acts first, then
    ``_check_open``: someone who may never act on the round hears so (403), not that it closed."""
    _locked(round_.document)
    return ReviewRound.objects.select_for_update().select_related("document").get(pk=round_.pk)


def _check_open(round_: ReviewRound) -> None:
    if not round_.is_open:
        raise ValidationError(
            f"This review round is {round_.get_state_display().lower()}; nothing can change it now."
        )


@transaction.atomic
def withdraw_review(*, round: ReviewRound, by) -> None:
    round_ = _locked_round(round)
    if by.pk != round_.document.owner_id:
        raise PermissionDenied("Only the document's author can withdraw it from review.")
    _check_open(round_)
    ReviewRound.objects.filter(pk=round_.pk).update(
        state=ReviewRound.State.WITHDRAWN, decided_at=timezone.now()
    )
    # Reading was granted for the review; a withdrawn review takes it back.
    round_.document.readers.remove(*round_.assignments.values_list("user_id", flat=True))
    Document.objects.filter(pk=round_.document_id).update(status=Document.Status.DRAFT)
    _event(
        round_.document,
        Event.Kind.WITHDRAWN,
        actor=by,
        round=round_,
        summary=f"{by.display_name} withdrew round {round_.number}; the document is a draft again.",
    )


@transaction.atomic
def give_verdict(
    *, round: ReviewRound, by, answers: dict[str, str], notes: dict[str, str], decision: str,
    rationale: str, seen_revision: int | None = None, seen_version: int | None = None,
) -> Verdict:  # fmt: skip
    """Record (or change) a verdict on the revision the reviewer read; the round then
    decides itself if it can."""
    round_ = _locked_round(round)
    document = round_.document
    assignment = round_.assignments.filter(user=by).first()
    if assignment is None:
        raise PermissionDenied("Only the reviewers and approvers of this round give verdicts.")
    if document.is_editor(by):
        raise PermissionDenied("Authors and collaborators never judge their own document.")
    if assignment.role == Assignment.Role.APPROVER and not (by.is_leader and by.is_active):
        raise PermissionDenied("Only members of Leadership approve; you are no longer one.")
    _check_open(round_)
    latest = Document.objects.get(pk=document.pk)
    current = latest.current_revision
    if _changed_since(latest, seen_revision, seen_version):
        raise ValidationError(
            f"The text changed since you loaded the page (it is now revision {current.number});"
            " read what changed, then give your verdict again."
        )
    if decision == Verdict.Decision.APPROVE and any(
        answers[key] != Answer.YES for key, _ in CRITERIA
    ):
        raise ValidationError("An approval needs \u201cyes\u201d on all three criteria.")
    if not rationale.strip():
        raise ValidationError("Give a short rationale for your decision.")
    revision = current
    revision.seal()
    before = Verdict.objects.filter(round=round_, reviewer=by).first()
    verdict, _ = Verdict.objects.update_or_create(
        round=round_,
        reviewer=by,
        defaults={
            "revision": revision,
            **{key: answers[key] for key, _ in CRITERIA},
            **{f"{key}_note": notes.get(key, "").strip() for key, _ in CRITERIA},
            "decision": decision,
            "rationale": rationale.strip(),
            "dismissed_at": None,
            "dismissed_by": None,
        },
    )
    if before is not None and _same_verdict(before, verdict):
        return verdict  # a double click, or the same form sent again
    _event(
        document,
        Event.Kind.VERDICT,
        actor=by,
        round=round_,
        revision=revision,
        summary=f"{by.display_name} ({assignment.get_role_display().lower()}): "
        f"{verdict.get_decision_display().lower()} on revision {revision.number}.",
    )
    _decide(round_, revision)
    return verdict


def _same_verdict(a: Verdict, b: Verdict) -> bool:
    fields = ["revision_id", "decision", "rationale", "dismissed_at"]
    fields += [key for key, _ in CRITERIA] + [f"{key}_note" for key, _ in CRITERIA]
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def _decide(round_: ReviewRound, revision) -> None:
    """Approved when every approver approves this revision with no open concern; one reject
    rejects; a request for changes returns it to the author."""
    approvers = set(
        round_.assignments.filter(role=Assignment.Role.APPROVER).values_list("user_id", flat=True)
    )
    document = round_.document
    editors = {document.owner_id, *document.collaborators.values_list("pk", flat=True)}
    verdicts = [
        v
        for v in round_.verdicts.filter(
            reviewer_id__in=approvers, dismissed_at__isnull=True
        ).select_related("reviewer")
        # A verdict counts only from someone who may still judge: a leader, not an editor.
        if v.reviewer.is_active and v.reviewer.is_leader and v.reviewer_id not in editors
    ]
    deciding = next((v for v in verdicts if v.decision == Verdict.Decision.REJECT), None)
    state = ReviewRound.State.REJECTED if deciding else None
    if deciding is None:
        deciding = next(
            (v for v in verdicts if v.decision == Verdict.Decision.REQUEST_CHANGES), None
        )
        state = ReviewRound.State.CHANGES_REQUESTED if deciding else None
    if deciding is None:
        approving = [
            v
            for v in verdicts
            if v.decision == Verdict.Decision.APPROVE and v.revision_id == revision.pk
        ]
        concerns_open = round_.concerns.filter(resolved_at__isnull=True).exists()
        if {v.reviewer_id for v in approving} == approvers and not concerns_open:
            state = ReviewRound.State.APPROVED
            rationale = "\n\n".join(f"{v.reviewer.display_name}: {v.rationale}" for v in approving)
    if state is None:
        return
    if deciding is not None:
        rationale = f"{deciding.reviewer.display_name}: {deciding.rationale}"
    ReviewRound.objects.filter(pk=round_.pk).update(
        state=state, decided_revision=revision, decided_at=timezone.now(), rationale=rationale
    )
    document_state = {
        ReviewRound.State.APPROVED: Document.Status.APPROVED,
        ReviewRound.State.REJECTED: Document.Status.REJECTED,
        ReviewRound.State.CHANGES_REQUESTED: Document.Status.CHANGES_REQUESTED,
    }[state]
    Document.objects.filter(pk=round_.document_id).update(status=document_state)
    _event(
        round_.document,
        Event.Kind.DECISION,
        actor=(deciding or approving[-1]).reviewer,
        round=round_,
        revision=revision,
        summary=f"Round {round_.number}: {ReviewRound.State(state).label.lower()} "
        f"(revision {revision.number}).",
    )


@transaction.atomic
def raise_concern(*, round: ReviewRound, by, text: str) -> Concern:
    round_ = _locked_round(round)
    in_round = round_.assignments.filter(user=by).exists() or round_.document.is_editor(by)
    if not in_round:
        raise PermissionDenied("Only the people in this review round can raise a blocking concern.")
    _check_open(round_)
    text = text.strip()
    if not text:
        raise ValidationError("Say what the concern is.")
    if len(text) > COMMENT_MAX_CHARS:
        raise ValidationError(f"Keep the concern under {COMMENT_MAX_CHARS:,} characters.")
    concern = Concern.objects.create(round=round_, raised_by=by, text=text)
    _event(
        round_.document,
        Event.Kind.CONCERN,
        actor=by,
        round=round_,
        summary=f"{by.display_name} raised a blocking concern: \u201c{text[:200]}\u201d",
    )
    return concern


@transaction.atomic
def resolve_concern(*, concern: Concern, by) -> None:
    if (
        by.pk == concern.raised_by_id
        and Concern.objects.filter(pk=concern.pk, resolved_at__isnull=False).exists()
    ):
        return  # resolved already: a double click
    round_ = _locked_round(concern.round)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if by.pk != concern.raised_by_id:
        raise PermissionDenied("Only the person who raised a concern can resolve it.")
    _check_open(round_)
    if not concern.is_open:
        return
    Concern.objects.filter(pk=concern.pk).update(resolved_at=timezone.now())
    _event(
        round_.document,
        Event.Kind.CONCERN_RESOLVED,
        actor=by,
        round=round_,
        summary=f"{by.display_name} resolved their blocking concern.",
    )
    _decide(round_, Document.objects.get(pk=round_.document_id).current_revision)


def after_edit(*, document: Document, result: SaveResult, by) -> None:
    """An edit during a round dismisses approvals of older revisions; after approval, it
    reopens the document as a draft while the approval stays pinned to its revision."""
    if not result.changed:
        return
    revision = result.revision
    status = document.status  # as read under the save's lock (``Document.save_content``)
    # A document is in review exactly when it has an open round (``check_integrity``
    # checks it): a draft's autosave, the usual edit, need not look for one.
    in_review = status == Document.Status.IN_REVIEW
    round_ = document.rounds.open().first() if in_review else None
    if result.created:
        summary = f"{by.display_name} saved revision {revision.number}."
        if round_ is not None:  # the people reviewing hear of it, with a link to the changes
            _event(document, Event.Kind.EDITED, actor=by, round=round_, revision=revision,
                   summary=summary)  # fmt: skip
        else:
            Event.objects.create(
                document=document, actor=by, kind=Event.Kind.EDITED, revision=revision,
                summary=summary,
            )  # fmt: skip
    if status in (Document.Status.APPROVED, Document.Status.REJECTED):
        Document.objects.filter(pk=document.pk).update(status=Document.Status.DRAFT)
        document.status = Document.Status.DRAFT
    if round_ is None:
        return
    stale = (
        round_.verdicts.filter(decision=Verdict.Decision.APPROVE, dismissed_at__isnull=True)
        .exclude(revision=revision)
        .select_related("reviewer", "revision")
    )
    for verdict in stale:
        Verdict.objects.filter(pk=verdict.pk).update(
            dismissed_at=timezone.now(), dismissed_by=revision
        )
        _event(
            document,
            Event.Kind.DISMISSED,
            actor=by,
            round=round_,
            revision=revision,
            summary=f"Revision {revision.number} by {by.display_name} dismissed "
            f"{verdict.reviewer.display_name}'s approval of revision {verdict.revision.number}.",
        )
