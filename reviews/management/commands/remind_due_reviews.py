"""Remind reviewers and approvers whose verdict is due within a day.

Run it daily (cron or a scheduler): `uv run manage.py remind_due_reviews`.
Each person is reminded once per round; running it twice sends nothing new.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from reviews.models import Assignment, ReviewRound, Verdict
from reviews.tasks import remind_about_due_review


class Command(BaseCommand):
    help = "Notify reviewers and approvers whose review is due within a day."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        assignments = Assignment.objects.filter(
            round__state=ReviewRound.State.OPEN, round__due_date__lte=today + timedelta(days=1)
        ).select_related("round")
        answered = set(
            Verdict.objects.filter(
                round__in=[a.round for a in assignments], dismissed_at__isnull=True
            ).values_list("round_id", "reviewer_id")
        )
        queued = 0
        for assignment in assignments:
            if (assignment.round_id, assignment.user_id) in answered:
                continue
            remind_about_due_review.enqueue(assignment.round_id, assignment.user_id)
            queued += 1
        self.stdout.write(f"Queued {queued} reminders.")
