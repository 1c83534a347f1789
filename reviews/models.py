"""Review gates' stored results, and later rounds, verdicts, comments and events.

Models here point at ``prfaq`` models, never the reverse.
"""

import hashlib
from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from audit.models import AppendOnlyQuerySet
from prfaq.compiled import exists, insert, one
from prfaq.models import Document, Revision
from prfaq.rendering import markdown_hazard, render_markdown
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
    def record(cls, revision: Revision, findings: list[Finding] | None = None) -> "GateReport":
        """Run the gates on ``revision``, unless given what they found, and store their
        findings (again, if it changed)."""
        if findings is None:
            findings = run_gates(draft_of(revision))
        counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
        report = cls(
            revision=revision,
            findings=[f.to_json() for f in findings],
            blockers=counts[Severity.BLOCKER],
            warnings=counts[Severity.WARNING],
            infos=counts[Severity.INFO],
        )
        # One statement, new or again (update_or_create adds a savepoint and a locking read),
        # compiled once (prfaq.compiled).
        insert(
            report,
            or_update=("findings", "blockers", "warnings", "infos", "computed_at"),
            unique=("revision",),
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


COMMENT_MAX_CHARS = 10_000
QUOTE_MAX_CHARS = 1_000


def clean_comment_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError("Write something first: the comment is empty.")
    if "\x00" in body:
        raise ValidationError("The comment contains a null character; remove it and post again.")
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError(
            f"The comment is {len(body):,} characters; the limit is {COMMENT_MAX_CHARS:,}. "
            "Shorten it, or split it over replies."
        )
    hazard = markdown_hazard(body)
    if hazard:
        raise ValidationError(f"The comment cannot be shown: it {hazard}.")
    return body


@dataclass(frozen=True, slots=True)
class CommentText:
    """A comment's text, checked and rendered. The comment forms make it as they validate,
    before the transaction that posts it: rendering Markdown is the slowest part of posting
    a comment, and the transaction holds the thread's row (on SQLite, the whole database's
    write lock) while others wait. Made by ``of`` only: its HTML is stored as it is."""

    body: str
    html: str

    @classmethod
    def of(cls, body: "str | CommentText") -> "CommentText":
        """Raises ValidationError for a text no comment may have (``clean_comment_body``)."""
        if isinstance(body, CommentText):
            return body
        body = clean_comment_body(body)
        return cls(body, render_markdown(body))


def section_text(content, key: str) -> str:
    """The Markdown of a section; for the FAQ, its questions and answers."""
    if key == "faq":
        return "\n\n".join(f"{e.question}\n\n{e.answer}" for e in content.faq)
    return content.section(key)


def readable_text(revision: Revision, key: str) -> str:
    """A section as readers see it (rendered, tags stripped, spaces folded), for quotes."""
    if key == "faq":
        answers = revision.rendered.get("faq", [])
        text = " ".join(
            f"{entry.question} {unescape(strip_tags(answers[i] if i < len(answers) else ''))}"
            for i, entry in enumerate(revision.as_content().faq)
        )
    else:
        text = unescape(strip_tags(revision.rendered.get("sections", {}).get(key, "")))
    return " ".join(text.split())


def section_digest(text: str) -> str:
    """A fingerprint of a section's text, to tell later whether it changed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ThreadQuerySet(models.QuerySet):
    def open(self) -> "ThreadQuerySet":
        return self.filter(resolved_at__isnull=True)

    def resolved(self) -> "ThreadQuerySet":
        return self.filter(resolved_at__isnull=False)

    def live(self) -> "ThreadQuerySet":
        """Threads with at least one comment that was not deleted."""
        return self.filter(
            Exists(Comment.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True))
        )

    def for_page(self) -> "ThreadQuerySet":
        """Threads with their comments and people, in a fixed number of queries."""
        comments = Comment.objects.select_related("author").order_by("created_at", "pk")
        return self.select_related("started_by", "resolved_by").prefetch_related(
            models.Prefetch("comments", queryset=comments)
        )


class Thread(models.Model):
    """A discussion anchored to a section of a document, optionally to a quoted passage."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="threads")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="threads")
    section = models.CharField(max_length=64)
    quote = models.TextField(blank=True, default="")
    section_digest = models.CharField(max_length=64)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="started_threads"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolved_threads",
    )
    faq_added_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the thread itself last changed (started, resolved, reopened). A reply does not
    # touch the thread's row: its last activity is its newest comment's time, which the
    # comment index answers.
    updated_at = models.DateTimeField(auto_now=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["document", "resolved_at"], name="thread_document_open_idx"),
            # A section's threads, a page at a time, in order.
            models.Index(
                fields=["document", "section", "created_at", "id"], name="thread_section_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Thread {self.pk} on {self.document_id}/{self.section}"

    def get_absolute_url(self) -> str:
        """The thread's permalink: it sends people to wherever the thread is shown."""
        return f"{reverse('reviews:thread', args=[self.document_id, self.pk])}#thread-{self.pk}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    def is_outdated(self, *, digest: str, readable: str) -> bool:
        """The section changed since the thread started, or its quoted passage is gone.

        ``digest`` is the current section's ``section_digest``, ``readable`` its text as
        readers see it: both computed once per page, not once per thread.
        """
        if self.quote and self.quote not in readable:
            return True
        return digest != self.section_digest

    def can_resolve(self, user) -> bool:
        return user.pk in (self.document.owner_id, self.started_by_id)

    @classmethod
    @transaction.atomic
    def start(
        cls,
        *,
        document: Document,
        revision: Revision,
        section: str,
        quote: str,
        by,
        body: str | CommentText,
    ) -> "Thread":
        """Open a thread on a section of ``revision``, optionally quoting a passage of it."""
        spec = document.outline.section(section)
        if spec is None:
            raise ValidationError("That section is not part of this document.")
        # Lock the document before sealing its revision, in the order saves take them:
        # otherwise a concurrent autosave, holding the document and waiting for the
        # revision, deadlocks with this commit, or folds new text into the sealed revision.
        Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").get()
        revision.refresh_from_db()
        quote = " ".join(quote.split())
        if len(quote) > QUOTE_MAX_CHARS:
            raise ValidationError(
                f"The quoted passage is {len(quote):,} characters; quote at most "
                f"{QUOTE_MAX_CHARS:,}, or none."
            )
        text = section_text(revision.as_content(), section)
        if quote and quote not in readable_text(revision, section):
            raise ValidationError(
                f"The quoted passage is not in \u201c{spec.title}\u201d of revision "
                f"{revision.number}. Select it again on the page, or leave the quote out."
            )
        revision.seal()  # a revision somebody commented on never changes
        thread = cls.objects.create(
            document=document,
            revision=revision,
            section=section,
            quote=quote,
            section_digest=section_digest(text),
            started_by=by,
        )
        Comment.post(thread=thread, by=by, body=body)
        return thread

    def accepts_replies(self) -> bool:
        """Open, with at least one comment left to reply to. Asked of the database, not of
        this object: it may have been read before another request resolved the thread."""
        return exists("Thread.accepts_replies", _open_thread, self.pk)

    @transaction.atomic(savepoint=False)
    def reply(self, *, by, body: str | CommentText) -> "Comment":
        # Whether it takes replies, asked with its row locked until the commit: replies to
        # one thread take turns, so their ids come in the order they commit. A page asks
        # for the comments after the newest it shows; on PostgreSQL, which hands out ids
        # at INSERT and shows rows at COMMIT, a lower id committed later would otherwise
        # never reach it (tests/reliability/test_reply_races.py). The row is locked before
        # the document's (its counter), as resolving and adding to the FAQ take them.
        if one("Thread.reply", _open_thread_locked, self.pk) is None:
            self.refresh_from_db(fields=["resolved_at", "resolved_by", "updated_at"])
            if self.is_resolved:
                raise ValidationError("This thread is resolved: reopen it to reply.")
            raise ValidationError("This thread's comments were deleted; start a new one.")
        return Comment.post(thread=self, by=by, body=body)

    def resolve(self, *, by) -> None:
        """Mark resolved; resolving twice (a double click) changes nothing."""
        self._check_resolver(by)
        now = timezone.now()
        Thread.objects.filter(pk=self.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=by, updated_at=now
        )
        self.refresh_from_db(fields=["resolved_at", "resolved_by", "updated_at"])

    def reopen(self, *, by) -> None:
        self._check_resolver(by)
        Thread.objects.filter(pk=self.pk).update(
            resolved_at=None, resolved_by=None, updated_at=timezone.now()
        )
        self.refresh_from_db(fields=["resolved_at", "resolved_by", "updated_at"])

    def _check_resolver(self, user) -> None:
        if not self.can_resolve(user):
            raise PermissionDenied(
                "Only the document's author or whoever started the thread can resolve or reopen it."
            )


def _open_thread(thread_pk: int):
    """The thread, if it is open with a comment left to reply to."""
    live = Comment.objects.filter(thread_id=OuterRef("pk"), deleted_at__isnull=True)
    return Thread.objects.filter(Exists(live), pk=thread_pk, resolved_at__isnull=True)


def _open_thread_locked(thread_pk: int):
    # NO KEY UPDATE: editing or deleting one of its comments (their foreign key's KEY
    # SHARE lock) does not wait for it.
    return _open_thread(thread_pk).select_for_update(no_key=True).only("pk")


class Comment(models.Model):
    """One message in a thread; Markdown, rendered once per version. Deleting keeps a tombstone."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # Whether a thread is live (has a comment not deleted) is asked on every page.
            models.Index(fields=["thread", "deleted_at"], name="comment_thread_live_idx"),
            # A thread shows its first comment and its latest: read from the index, not by
            # sorting every comment of a long thread.
            models.Index(fields=["thread", "created_at", "id"], name="comment_thread_time_idx"),
            # A reply's catch-up reads the comments after the newest its page shows.
            models.Index(fields=["thread", "id"], name="comment_thread_id_idx"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @classmethod
    def post(cls, *, thread: Thread, by, body: str | CommentText) -> "Comment":
        """Add a comment and queue its notifications: the worker sends them, not the request."""
        from reviews.tasks import notify_about_comment

        text = CommentText.of(body)
        # The most frequent write: its statements compiled once (prfaq.compiled).
        comment = insert(cls(thread=thread, author=by, body=text.body, body_html=text.html))
        insert(
            Event(
                document_id=thread.document_id,
                actor=by,
                kind=Event.Kind.COMMENTED,
                summary=f"{by.display_name} commented on {thread.section.replace('_', ' ')}.",
            )
        )
        notify_about_comment.enqueue(comment.pk)
        return comment

    def edit(self, *, by, body: str | CommentText) -> None:
        self._check_author(by)
        if self.is_deleted:
            raise ValidationError("This comment was deleted; it cannot be edited.")
        text = CommentText.of(body)
        self.body, self.body_html = text.body, text.html
        self.version += 1
        self.edited_at = timezone.now()
        self.save(update_fields=["body", "body_html", "version", "edited_at"])

    def delete_by(self, *, by) -> None:
        """Remove the text; a tombstone stays so the replies still make sense."""
        self._check_author(by)
        if self.is_deleted:
            return
        self.body, self.body_html, self.deleted_at = "", "", timezone.now()
        self.save(update_fields=["body", "body_html", "deleted_at"])

    def _check_author(self, user) -> None:
        if user.pk != self.author_id:
            raise PermissionDenied("Only the person who wrote a comment can change it.")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """A person's notifications about documents they may still read."""
        if user.is_leader:  # leaders read every document
            return self.filter(recipient=user)
        return self.filter(recipient=user, document__in=Document.objects.visible_to(user))


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "mentioned you"
        REPLY = "reply", "replied in a thread you are in"
        COMMENT = "comment", "commented on a document you follow"
        REVIEW_REQUESTED = "review_requested", "asked you to review"
        VERDICT = "verdict", "gave a verdict"
        CONCERN = "concern", "raised or resolved a blocking concern"
        DECISION = "decision", "recorded a decision"
        DISMISSED = "dismissed", "edited the document: your approval was dismissed"
        DUE_SOON = "due_soon", "is waiting for your verdict (due within a day)"
        EDITED = "edited", "edited the document under review"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, related_name="+")
    event = models.ForeignKey("Event", on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one notification per person per comment, however often they are named.
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=models.Q(comment__isnull=False),
                name="one_notification_per_comment",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event"],
                condition=models.Q(event__isnull=False),
                name="one_notification_per_event",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()}"


class Subscription(models.Model):
    """Whether someone follows a document's discussion, or has muted it."""

    class State(models.TextChoices):
        FOLLOW = "follow", "Following"
        MUTE = "mute", "Muted"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="subscriptions")
    state = models.CharField(max_length=8, choices=State.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="one_subscription_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.state} {self.document_id}"


class BlindReading(models.Model):
    """Someone chose not to see others' comments on a document until they post their own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="one_blind_reading_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} reads {self.document_id} blind"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_YET = "not_yet", "Not yet"


# Bezos's three investment criteria, as a verdict asks them.
CRITERIA = (
    ("big_idea", "Is it a big idea?"),
    ("should_we", "Is it something we should be doing?"),
    ("plan", "Is there a legitimate plan to succeed?"),
)


class ReviewRoundQuerySet(models.QuerySet):
    def open(self) -> "ReviewRoundQuerySet":
        return self.filter(state=ReviewRound.State.OPEN)

    def for_participant(self, user) -> "ReviewRoundQuerySet":
        return self.filter(assignments__user=user)


class ReviewRound(models.Model):
    """One pass of a document through leadership review, pinned to the revision submitted."""

    class State(models.TextChoices):
        OPEN = "open", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField()
    feedback_wanted = models.TextField(blank=True, default="")
    decided_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="round_number_unique"),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(state="open"),
                name="one_open_round_per_document",
            ),
        ]

    def __str__(self) -> str:
        return f"Round {self.number} of {self.document_id}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:round", args=[self.document_id, self.number])

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Assignment(models.Model):
    class Role(models.TextChoices):
        APPROVER = "approver", "Approver"
        REVIEWER = "reviewer", "Reviewer"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="one_role_per_round")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} on {self.round}"


class Acknowledgement(models.Model):
    """The author's note on a gate warning, given when submitting; reviewers see it."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    gate = models.CharField(max_length=64)
    section = models.CharField(max_length=64, blank=True)
    message = models.TextField()
    note = models.CharField(max_length=500)

    def __str__(self) -> str:
        return f"{self.gate}: {self.note}"


class Verdict(models.Model):
    """A reviewer's or approver's view of a round: the three criteria and a decision."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="verdicts")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    big_idea = models.CharField(max_length=8, choices=Answer.choices)
    big_idea_note = models.TextField(blank=True, default="")
    should_we = models.CharField(max_length=8, choices=Answer.choices)
    should_we_note = models.TextField(blank=True, default="")
    plan = models.CharField(max_length=8, choices=Answer.choices)
    plan_note = models.TextField(blank=True, default="")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    rationale = models.TextField()
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "reviewer"], name="one_verdict_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.decision} on {self.round}"

    @property
    def is_dismissed(self) -> bool:
        return self.dismissed_at is not None


class Concern(models.Model):
    """A blocking concern: no approval while it is open; only who raised it resolves it."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Concern by {self.raised_by} on {self.round}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Event(models.Model):
    """One line of a document's timeline: append-only, the document's audit log."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "submitted for review"
        WITHDRAWN = "withdrawn", "withdrew the review"
        VERDICT = "verdict", "gave a verdict"
        CONCERN = "concern", "raised a blocking concern"
        CONCERN_RESOLVED = "concern_resolved", "resolved a blocking concern"
        DECISION = "decision", "decision"
        DISMISSED = "dismissed", "approval dismissed"
        EDITED = "edited", "edited"
        COMMENTED = "commented", "commented"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    round = models.ForeignKey(
        ReviewRound, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField()
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["document", "created_at"], name="event_document_idx")]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args, **kwargs) -> None:
        # The timeline is an audit log: an event is written once and never changed.
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Timeline events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Timeline events cannot be deleted.")
