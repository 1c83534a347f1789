"""Review gates' stored results, and later rounds, verdicts, comments and events.

Models here point at ``prfaq`` models, never the reverse.
"""

from django.db import models

from prfaq.models import Revision
from reviews.gates import Draft, Finding, Severity, run_gates


class GateReport(models.Model):
    """The gates' findings on one revision, computed once when it is saved."""

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="gate_report")
    findings = models.JSONField(default=list)
    blockers = models.PositiveSmallIntegerField(default=0)
    warnings = models.PositiveSmallIntegerField(default=0)
    infos = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Gates on {self.revision}: {self.blockers} blockers, {self.warnings} warnings"

    @classmethod
    def record(cls, revision: Revision) -> "GateReport":
        """Run the gates on ``revision`` and store what they found (again, if it changed)."""
        findings = run_gates(draft_of(revision))
        counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
        report, _ = cls.objects.update_or_create(
            revision=revision,
            defaults={
                "findings": [f.to_json() for f in findings],
                "blockers": counts[Severity.BLOCKER],
                "warnings": counts[Severity.WARNING],
                "infos": counts[Severity.INFO],
            },
        )
        return report

    @classmethod
    def for_revision(cls, revision: Revision) -> "GateReport":
        """The stored report, computed now if this revision predates the gates."""
        try:
            return revision.gate_report
        except cls.DoesNotExist:
            return cls.record(revision)

    def finding_list(self) -> list[Finding]:
        return [Finding.from_json(f) for f in self.findings]


def draft_of(revision: Revision) -> Draft:
    return Draft(revision.as_content(), revision.document.outline, revision.title)
