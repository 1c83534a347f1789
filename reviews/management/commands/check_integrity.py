"""Check that every document, revision, round and event is consistent; for operators.

    uv run manage.py check_integrity

Run it after a crash, a restore or a failed deploy. It prints one line per
inconsistency and exits 1 if there is any, 0 when everything holds:

- every document's current revision exists, belongs to it and is its newest;
- every revision has a gate report only for itself, and numbers are unique;
- a document is in review exactly when it has an open round, and an open round's
  revision belongs to its document;
- every verdict is on a revision of its round's document, and every decided round
  has a decision revision of its document;
- every timeline event's revision and round belong to its document.
"""

from django.core.management.base import BaseCommand
from django.db.models import F, Max

from prfaq.models import Document, Revision
from reviews.models import Event, ReviewRound, Verdict


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
