"""The audit log: one append-only entry per state change, sign-in and refusal."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are written once: bulk updates and deletes are refused too."""

    def update(self, **kwargs):
        raise ValidationError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self):
        raise ValidationError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", "signed in"
        SIGN_IN_FAILED = "sign_in_failed", "failed to sign in"
        SIGNED_OUT = "signed_out", "signed out"
        PASSWORD_CHANGED = "password_changed", "changed their password"
        REFUSED = "refused", "was refused"
        DOCUMENT_CREATED = "document_created", "created a document"
        DOCUMENT_IMPORTED = "document_imported", "imported a document"
        DOCUMENT_SAVED = "document_saved", "saved a document"
        SHARING_CHANGED = "sharing_changed", "changed who shares a document"
        THREAD_STARTED = "thread_started", "started a thread"
        REPLIED = "replied", "replied in a thread"
        COMMENT_EDITED = "comment_edited", "edited a comment"
        COMMENT_DELETED = "comment_deleted", "deleted a comment"
        THREAD_RESOLVED = "thread_resolved", "resolved a thread"
        THREAD_REOPENED = "thread_reopened", "reopened a thread"
        THREAD_TO_FAQ = "thread_to_faq", "turned a thread into an FAQ entry"
        SUBSCRIPTION_CHANGED = "subscription_changed", "changed their notifications"
        BLIND_READING_CHANGED = "blind_reading_changed", "changed blind reading"
        NOTIFICATION_READ = "notification_read", "read a notification"
        NOTIFICATIONS_READ = "notifications_read", "marked all notifications read"
        SUBMITTED = "submitted", "submitted for review"
        VERDICT_GIVEN = "verdict_given", "gave a verdict"
        CONCERN_RAISED = "concern_raised", "raised a blocking concern"
        CONCERN_RESOLVED = "concern_resolved", "resolved a blocking concern"
        WITHDRAWN = "withdrawn", "withdrew a review"
        ADMIN_CHANGED = "admin_changed", "changed something in the admin"

    # Stored in UTC (USE_TZ), whatever the server's zone.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name as given: for a failed sign-in, the username that was tried.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    # No database constraint: the log outlives what it mentions.
    document = models.ForeignKey(
        "prfaq.Document",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    target = models.CharField(max_length=100, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    request = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            models.Index(fields=["document", "at"], name="audit_document_idx"),
            models.Index(fields=["action", "at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        who = self.username or "someone"
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC {who} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit entries cannot be deleted.")
