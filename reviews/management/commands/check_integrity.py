"""Check that every document, revision, round and event is consistent; for operators.

    uv run manage.py check_integrity

Run it after a crash, a restore or a failed deploy. It prints one line per
inconsistency and exits 1 if there is any, 0 when everything holds:

- every document's current revision exists, belongs to it and is its newest; its
  revisions are numbered 1, 2, 3... with no gap, and there are no more of them than
  saves made (its version, plus the first revision);
- a document is in review exactly when it has an open round, and an open round's
  revision belongs to its document; an approved, rejected or changes-requested
  document's latest round says the same;
- rounds are numbered without a gap, each has at least one approver, and each
  revision a round, verdict or comment thread points at is sealed (never changes);
- every verdict is on a revision of its round's document, and every decided round
  has a decision revision of its document; every approval counted for an approved
  round is on the revision approved, and every approver gave one;
- every timeline event's revision and round belong to its document, and no event
  tells of something that did not happen: a submission without its round, a
  decision or withdrawal the round does not have (or two of them), a verdict or a
  concern nobody gave, an edit without its revision (or twice), more comment events
  than comments.

An inconsistency means a write was cut in half (which transactions prevent) or the
data was changed by hand or restored from mismatched backups; the lines say which
rows to look at.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q

from prfaq.models import Document, Revision
from reviews.models import Assignment, Comment, Concern, Event, ReviewRound, Thread, Verdict

DECIDED = ("approved", "rejected", "changes_requested")
NEEDS_ROUND = ("submitted", "withdrawn", "verdict", "concern", "concern_resolved", "decision",
               "dismissed")  # fmt: skip


def inconsistencies() -> list[str]:
    problems: list[str] = []
    newest = dict(Revision.objects.values("document_id").annotate(n=Max("number")).values_list(
        "document_id", "n"
    ))  # fmt: skip
    for doc in Document.objects.select_related("current_revision").only(
        "pk", "status", "current_revision__document_id", "current_revision__number"
    ):
        rev = doc.current_revision
        if rev is None:
            problems.append(f"document {doc.pk}: no current revision")
        elif rev.document_id != doc.pk:
            problems.append(
                f"document {doc.pk}: current revision belongs to document {rev.document_id}"
            )
        elif rev.number != newest.get(doc.pk):
            problems.append(f"document {doc.pk}: current revision r{rev.number} is not the newest")
    open_rounds = set(ReviewRound.objects.open().values_list("document_id", flat=True))
    in_review = set(
        Document.objects.filter(status=Document.Status.IN_REVIEW).values_list("pk", flat=True)
    )
    problems += [
        f"document {pk}: in review without an open round" for pk in in_review - open_rounds
    ]
    problems += [f"document {pk}: open round but not in review" for pk in open_rounds - in_review]
    for pk in ReviewRound.objects.exclude(revision__document_id=F("document_id")).values_list(
        "pk", flat=True
    ):
        problems.append(f"round {pk}: its revision belongs to another document")
    decided = ReviewRound.objects.exclude(state__in=["open", "withdrawn"])
    for pk in decided.filter(decided_revision__isnull=True).values_list("pk", flat=True):
        problems.append(f"round {pk}: decided without a decision revision")
    for pk in (
        decided.exclude(decided_revision__document_id=F("document_id"))
        .exclude(decided_revision__isnull=True)
        .values_list("pk", flat=True)
    ):
        problems.append(f"round {pk}: decided on another document's revision")
    problems += _numbering() + _rounds() + _sealed() + _approvals()
    for pk in Verdict.objects.exclude(revision__document_id=F("round__document_id")).values_list(
        "pk", flat=True
    ):
        problems.append(f"verdict {pk}: on another document's revision")
    events = Event.objects.exclude(revision__isnull=True).exclude(
        revision__document_id=F("document_id")
    )
    problems += [
        f"event {pk}: its revision belongs to another document"
        for pk in events.values_list("pk", flat=True)
    ]
    events = Event.objects.exclude(round__isnull=True).exclude(round__document_id=F("document_id"))
    problems += [
        f"event {pk}: its round belongs to another document"
        for pk in events.values_list("pk", flat=True)
    ]
    return problems + _events()


def _numbering() -> list[str]:
    """Revisions and rounds numbered 1..n; no more revisions than saves."""
    problems = []
    revisions = Revision.objects.values("document_id").annotate(
        low=Min("number"), high=Max("number"), n=Count("pk")
    )
    versions = dict(Document.objects.values_list("pk", "version"))
    for row in revisions:
        doc = row["document_id"]
        if row["low"] != 1 or row["high"] != row["n"]:
            problems.append(
                f"document {doc}: revisions numbered {row['low']} to {row['high']} "
                f"but there are {row['n']} (a gap)"
            )
        if row["n"] > versions[doc] + 1:
            problems.append(
                f"document {doc}: {row['n']} revisions but only {versions[doc]} saves made"
            )
    rounds = ReviewRound.objects.values("document_id").annotate(
        low=Min("number"), high=Max("number"), n=Count("pk")
    )
    for row in rounds:
        if row["low"] != 1 or row["high"] != row["n"]:
            problems.append(
                f"document {row['document_id']}: review rounds numbered {row['low']} to "
                f"{row['high']} but there are {row['n']} (a gap)"
            )
    return problems


def _rounds() -> list[str]:
    """Each round has an approver; a decided document's latest round agrees with it."""
    problems = [
        f"round {pk}: no approver assigned"
        for pk in ReviewRound.objects.exclude(
            assignments__role=Assignment.Role.APPROVER
        ).values_list("pk", flat=True)
    ]
    latest = dict(ReviewRound.objects.order_by("number").values_list("document_id", "state"))
    for pk, status in Document.objects.filter(status__in=DECIDED).values_list("pk", "status"):
        if latest.get(pk) != status:
            problems.append(
                f"document {pk}: {status.replace('_', ' ')} but its latest round is "
                f"{(latest.get(pk) or 'missing').replace('_', ' ')}"
            )
    return problems


def _sealed() -> list[str]:
    """What a round, verdict, decision or thread points at never changes: it is sealed."""
    pinned = {
        "round": ReviewRound.objects.values_list("revision", flat=True),
        "decision": ReviewRound.objects.exclude(decided_revision=None).values_list(
            "decided_revision", flat=True
        ),
        "verdict": Verdict.objects.values_list("revision", flat=True),
        "comment thread": Thread.objects.values_list("revision", flat=True),
    }
    problems = []
    for what, revisions in pinned.items():
        for doc, number in Revision.objects.filter(pk__in=revisions, sealed=False).values_list(
            "document_id", "number"
        ):
            problems.append(f"document {doc}: revision {number} has a {what} but is not sealed")
    return problems


def _approvals() -> list[str]:
    """An approved round counts each approver's approval of the revision approved."""
    problems = []
    approved = ReviewRound.objects.filter(state=ReviewRound.State.APPROVED)
    approvers = Counter(
        Assignment.objects.filter(round__in=approved, role=Assignment.Role.APPROVER).values_list(
            "round_id", flat=True
        )
    )
    counted = Counter(
        Verdict.objects.filter(
            round__in=approved,
            decision=Verdict.Decision.APPROVE,
            dismissed_at__isnull=True,
            revision=F("round__decided_revision"),
        )
        .filter(
            Exists(
                Assignment.objects.filter(
                    round=OuterRef("round"),
                    user=OuterRef("reviewer"),
                    role=Assignment.Role.APPROVER,
                )
            )
        )
        .values_list("round_id", flat=True)
    )
    for pk in approved.values_list("pk", flat=True):
        if counted[pk] != approvers[pk]:
            problems.append(
                f"round {pk}: approved, but {counted[pk]} of its {approvers[pk]} approvers "
                "approved the revision decided on"
            )
    return problems


def _events() -> list[str]:
    """No event tells of something that did not happen."""
    problems = []
    events = Event.objects.values_list("pk", "kind", "round_id", "actor_id", "revision_id")
    rounds = {
        pk: (state, revision, decided)
        for pk, state, revision, decided in ReviewRound.objects.values_list(
            "pk", "state", "revision_id", "decided_revision_id"
        )
    }
    verdicts = set(Verdict.objects.values_list("round_id", "reviewer_id"))
    raised = set(Concern.objects.values_list("round_id", "raised_by_id"))
    resolved = set(
        Concern.objects.filter(resolved_at__isnull=False).values_list("round_id", "raised_by_id")
    )
    per_round: Counter = Counter()
    per_revision: Counter = Counter()
    for pk, kind, round_id, actor, revision in events.filter(
        Q(kind__in=NEEDS_ROUND) | Q(kind=Event.Kind.EDITED)
    ):
        if kind == Event.Kind.EDITED:
            if revision is None:
                problems.append(f"event {pk}: an edit without its revision")
            per_revision[revision] += 1
            continue
        if round_id is None:
            problems.append(f"event {pk}: {kind.replace('_', ' ')} without its round")
            continue
        state, round_revision, decided = rounds[round_id]
        per_round[(round_id, kind)] += 1
        if kind == Event.Kind.SUBMITTED and revision != round_revision:
            problems.append(f"event {pk}: submitted a revision that is not its round's")
        elif kind == Event.Kind.DECISION and (state not in DECIDED or revision != decided):
            problems.append(f"event {pk}: a decision round {round_id} does not have")
        elif kind == Event.Kind.WITHDRAWN and state != ReviewRound.State.WITHDRAWN:
            problems.append(f"event {pk}: a withdrawal of round {round_id}, which is {state}")
        elif kind == Event.Kind.VERDICT and (round_id, actor) not in verdicts:
            problems.append(f"event {pk}: a verdict in round {round_id} that nobody gave")
        elif kind == Event.Kind.CONCERN and (round_id, actor) not in raised:
            problems.append(f"event {pk}: a concern in round {round_id} that nobody raised")
        elif kind == Event.Kind.CONCERN_RESOLVED and (round_id, actor) not in resolved:
            problems.append(f"event {pk}: a resolved concern in round {round_id} that is open")
    for (round_id, kind), n in per_round.items():
        if n > 1 and kind in (Event.Kind.SUBMITTED, Event.Kind.DECISION, Event.Kind.WITHDRAWN):
            problems.append(f"round {round_id}: {n} {kind.replace('_', ' ')} events")
    for pk, (state, _, _) in rounds.items():
        if state in DECIDED and per_round[(pk, Event.Kind.DECISION)] == 0:
            problems.append(f"round {pk}: {state.replace('_', ' ')} without a decision event")
    problems += [
        f"revision {pk}: {n} edit events" for pk, n in per_revision.items() if pk and n > 1
    ]
    comments = dict(
        Comment.objects.values("thread__document")
        .annotate(n=Count("pk"))
        .values_list("thread__document", "n")
    )
    told = (
        Event.objects.filter(kind=Event.Kind.COMMENTED).values("document").annotate(n=Count("pk"))
    )
    for row in told:
        if row["n"] > comments.get(row["document"], 0):
            problems.append(
                f"document {row['document']}: {row['n']} comment events but "
                f"{comments.get(row['document'], 0)} comments"
            )
    return problems


class Command(BaseCommand):
    help = "Check documents, revisions, rounds and events for inconsistencies (exit 1 if any)."

    def handle(self, *args, **options) -> None:
        problems = inconsistencies()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            self.stderr.write(f"{len(problems)} inconsistencies found.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Everything is consistent."))
