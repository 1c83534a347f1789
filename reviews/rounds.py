"""Review rounds laid out for their pages: tallies, concerns, what changed, what I owe."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from prfaq.diffing import compare_contents
from prfaq.models import Document
from reviews.models import CRITERIA, Assignment, GateReport, ReviewRound, Verdict


@dataclass
class TallyRow:
    name: str
    role: str
    verdict: Verdict | None
    answers: list[str]  # one label per criterion, "—" when no verdict
    current: bool  # the verdict is on the document's current revision


def round_page(document: Document, round_: ReviewRound, user) -> dict:
    assignments = list(
        round_.assignments.select_related("user").order_by("-role", "user__username")
    )
    verdicts = {
        v.reviewer_id: v
        for v in round_.verdicts.select_related("revision", "dismissed_by").defer(
            "revision__content",
            "revision__rendered",
            "dismissed_by__content",
            "dismissed_by__rendered",
        )
    }
    current_id = document.current_revision_id
    rows = []
    for a in assignments:
        v = verdicts.get(a.user_id)
        rows.append(
            TallyRow(
                name=a.user.display_name,
                role=a.get_role_display(),
                verdict=v,
                answers=[
                    getattr(v, f"get_{key}_display")() if v else "\u2014" for key, _ in CRITERIA
                ],
                current=bool(v and v.revision_id == current_id and not v.is_dismissed),
            )
        )
    mine = next((a for a in assignments if a.user_id == user.pk), None)
    my_verdict = verdicts.get(user.pk)
    previous = (
        document.rounds.filter(number__lt=round_.number)
        .select_related("revision")
        .order_by("-number")
        .first()
    )
    changes = []
    if previous is not None and previous.revision_id != round_.revision_id:
        changes = [
            s
            for s in compare_contents(
                document.outline, previous.revision.as_content(), round_.revision.as_content()
            )
            if s["changed"]
        ]
    report = GateReport.for_revision(round_.revision)
    return {
        "document": document,
        "round": round_,
        "criteria": [label for _, label in CRITERIA],
        "tally": rows,
        "concerns": list(round_.concerns.select_related("raised_by")),
        "acknowledgements": list(round_.acknowledgements.all()),
        "findings": report.finding_list(),
        "previous": previous,
        "changes_since_previous": changes,
        "my_assignment": mine,
        "my_verdict": my_verdict,
        "changed_since_my_verdict": bool(my_verdict and my_verdict.revision_id != current_id),
        "can_verdict": bool(mine and round_.is_open and not document.is_editor(user)),
        "can_withdraw": round_.is_open and user.pk == document.owner_id,
        "overdue": round_.is_open and round_.due_date < timezone.localdate(),
        "changed_since_submission": round_.revision_id != current_id,
    }


@dataclass
class ReviewStatus:
    """What the document page says at its top about review and approval."""

    round: ReviewRound | None
    approved: ReviewRound | None  # the last approval, pinned to its revision
    changed_since_approval: bool


def review_status(document: Document) -> ReviewStatus:
    rounds = list(
        document.rounds.select_related("decided_revision")
        .defer("feedback_wanted", "decided_revision__content", "decided_revision__rendered")
        .order_by("-number")[:20]
    )
    latest = rounds[0] if rounds else None
    approved = next((r for r in rounds if r.state == ReviewRound.State.APPROVED), None)
    return ReviewStatus(
        round=latest,
        approved=approved,
        changed_since_approval=bool(
            approved and approved.decided_revision_id != document.current_revision_id
        ),
    )


@dataclass
class Awaiting:
    round: ReviewRound
    role: str
    overdue: bool


def awaiting_review(user, *, limit: int = 10) -> list[Awaiting]:
    """Open rounds where I am asked and my current verdict is missing or was dismissed.

    The first ``limit`` by due date, chosen by the database: someone asked to review
    hundreds of rounds costs what someone asked once does.
    """
    answered = Verdict.objects.filter(
        round_id=OuterRef("round_id"), reviewer=user, dismissed_at__isnull=True
    )
    assignments = (
        Assignment.objects.filter(round__state=ReviewRound.State.OPEN, user=user)
        .exclude(Exists(answered))
        .select_related("round__document")
        .only("role", "round_id", "round__number", "round__due_date", "round__document__title")
        .order_by("round__due_date", "round_id")[:limit]
    )
    today = timezone.localdate()
    return [
        Awaiting(round=a.round, role=a.get_role_display(), overdue=a.round.due_date < today)
        for a in assignments
    ]
