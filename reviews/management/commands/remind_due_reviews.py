"""Remind reviewers and approvers whose verdict is due within a day.

Run it daily (cron or a scheduler): `uv run manage.py remind_due_reviews`.
Each person is reminded once per round; running it twice sends nothing new.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from reviews.models import Assignment, Notification, ReviewRound, Verdict


class Command(BaseCommand):
    help = "Notify reviewers and approvers whose review is due within a day."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        assignments = Assignment.objects.filter(
            round__state=ReviewRound.State.OPEN, round__due_date__lte=today + timedelta(days=1)
        ).select_related("round__document", "user")
        sent = 0
        for assignment in assignments:
            round_ = assignment.round
            answered = Verdict.objects.filter(
                round=round_, reviewer=assignment.user, dismissed_at__isnull=True
            ).exists()
            reminded = Notification.objects.filter(
                recipient=assignment.user,
                kind=Notification.Kind.DUE_SOON,
                document=round_.document,
                created_at__gte=round_.created_at,
            ).exists()
            if answered or reminded or not round_.document.can_read(assignment.user):
                continue
            Notification.objects.create(
                recipient=assignment.user,
                actor=round_.submitted_by,
                kind=Notification.Kind.DUE_SOON,
                document=round_.document,
            )
            sent += 1
        self.stdout.write(f"Reminded {sent} people.")
