"""Documents and their revisions: the drafting half of PR/FAQ studio.

Nothing here knows about reviews. A revision that something else points at
(a review, a comment) is sealed by that code through ``Revision.seal()`` and
never changes again.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from prfaq.compiled import by_pk, exists, insert, one, update
from prfaq.content import Content
from prfaq.document_templates import TEMPLATE_CHOICES, TEMPLATES, DocumentTemplate
from prfaq.rendering import render_content

LEADERSHIP_GROUP = "Leadership"

# Autosaves by one author within this window of a revision's start coalesce into it.
COALESCE_WINDOW = timedelta(minutes=10)
# How far search may trail the text an author is typing (see Document.save_content).
SEARCH_DELAY = timedelta(seconds=30)


class User(AbstractUser):
    """A member of the team. Custom from the first migration, as Django advises."""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def is_leader(self) -> bool:
        return self.groups.filter(name=LEADERSHIP_GROUP).exists()


class EditConflict(Exception):
    """A save was based on a version someone else has since replaced.

    ``document`` is the document as the save found it: its version and current revision;
    ``revision``, when the refusal read it, that current revision with its author.
    """

    def __init__(self, document: "Document", revision: "Revision | None" = None) -> None:
        super().__init__("This document was changed since you started editing.")
        self.document = document
        self.revision = revision


@dataclass(frozen=True, slots=True)
class SaveResult:
    revision: "Revision"
    version: int
    changed: bool
    created: bool
    # Search brought up to the text by a save that changed nothing else (Save after an
    # autosave): what search pages show changed.
    indexed: bool = False


SQLITE_MATCH = "SELECT rowid FROM prfaq_document_fts WHERE prfaq_document_fts MATCH %s"


@contextmanager
def searching(query: str):
    """Where a search's queries run. On PostgreSQL, in a transaction that steers the
    planner to the GIN index: it does not count reading each row's stored vector (several
    kB, stored out of line), so for a word in many documents it scanned the whole table,
    reading every vector (10,000 seeded documents, 1,250 matching: 88 ms, with the index
    21 ms; counting them 85 ms, with the index 2 ms)."""
    if not query.strip() or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def sqlite_search_index() -> bool:
    """Whether this SQLite database has the FTS5 search index (migration 0007: SQLite may
    be built without FTS5)."""
    if connection.vendor != "sqlite":
        return False
    return _has_table(connection.settings_dict["NAME"], "prfaq_document_fts")


@cache
def _has_table(database: str, table: str) -> bool:
    return table in connection.introspection.table_names()


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DocumentQuerySet":
        """Documents this user may read: the team's, and restricted ones they take part in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_leader:
            return self
        related = {"document": OuterRef("pk"), "user": user}
        return self.filter(
            Q(restricted=False)
            | Q(owner=user)
            | Q(Exists(Document.collaborators.through.objects.filter(**related)))
            | Q(Exists(Document.readers.through.objects.filter(**related)))
        )

    def shared_with(self, user) -> "DocumentQuerySet":
        """Documents this user owns or collaborates on."""
        # An uncorrelated IN, not EXISTS: both halves of the OR can use an index.
        collaborating = Document.collaborators.through.objects.filter(user=user).values(
            "document_id"
        )
        return self.filter(Q(owner=user) | Q(pk__in=collaborating))

    def search(self, query: str) -> "DocumentQuerySet":
        """Full-text search: PostgreSQL's, or SQLite's FTS5 index of words and their
        beginnings (``LIKE`` where SQLite has no FTS5)."""
        query = query.replace("\x00", " ").strip()  # no text holds one; FTS5 stops at it
        if not query:
            return self
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

            # The vector stored with each row (migration 0006): matched through its GIN
            # index and ranked without parsing every matching text again.
            vector = RawSQL('"prfaq_document"."search_vector"', [], SearchVectorField())
            search = SearchQuery(query, search_type="websearch", config="english")
            return (
                self.alias(found=vector)
                .annotate(rank=SearchRank(vector, search))
                .filter(found=search)
                .order_by("-rank", "-updated_at", "-pk")
            )
        words = query.split()[:10]
        result = self
        if sqlite_search_index():
            # Words and the beginnings of words, from the index (migration 0007); a "word"
            # with no letter or digit in it, as a substring of the texts the others found.
            indexed = [word for word in words if any(ch.isalnum() for ch in word)]
            words = [word for word in words if word not in indexed]
            if indexed:
                match = " AND ".join('"' + word.replace('"', '""') + '"*' for word in indexed)
                # "+id": SQLite then walks the documents newest first and stops at a page
                # of matches, instead of sorting every match of a common word.
                result = result.alias(
                    indexed_id=RawSQL('+"prfaq_document"."id"', [], models.IntegerField())
                ).filter(indexed_id__in=RawSQL(SQLITE_MATCH, [match]))
        for word in words:
            result = result.filter(search_text__icontains=word)
        return result.order_by("-updated_at", "-pk")

    def search_overdue(self) -> "DocumentQuerySet":
        """Documents whose search should have caught up with their text by now (its
        catch-up failed, or the worker was down), the longest overdue first."""
        return self.filter(search_due_at__lte=timezone.now()).order_by("search_due_at")

    def for_listing(self) -> "DocumentQuerySet":
        return self.select_related("owner").defer("search_text")


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    title = models.CharField(max_length=200)
    template = models.CharField(max_length=32, choices=TEMPLATE_CHOICES)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_documents"
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="shared_documents", blank=True
    )
    # People granted reading (not editing) by something else, e.g. being asked to review.
    readers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    restricted = models.BooleanField(
        default=False,
        help_text="Only the author, collaborators and leadership can see a restricted document.",
    )
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT)
    # Optimistic lock: every save names the version it was based on and bumps it.
    version = models.PositiveIntegerField(default=0)
    current_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    word_count = models.PositiveIntegerField(default=0)
    search_text = models.TextField(blank=True, default="")
    # When search_text, older than the text, is to be brought up to date; None when it is.
    search_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The new-document form's one-time token: a double submit finds the first document.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every recorded change to the document or its discussion and reviews, in
    # the change's transaction: the document's cached pages are keyed on it (pagecache).
    activity = models.PositiveBigIntegerField(default=0, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-updated_at"], name="document_recent_idx"),
            models.Index(fields=["owner", "-updated_at"], name="document_owner_recent_idx"),
            # The few documents whose search trails their text: each catch-up looks for
            # overdue ones, and a scan would read every document's whole text on SQLite.
            models.Index(
                fields=["search_due_at"],
                condition=Q(search_due_at__isnull=False),
                name="document_search_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("prfaq:document", args=[self.pk])

    @property
    def outline(self) -> DocumentTemplate:
        return TEMPLATES[self.template]

    # True on the instance ``start`` has just made, false on one it found (a double submit).
    is_new = False

    @classmethod
    def start(
        cls, *, owner, title: str, template: DocumentTemplate, token: uuid.UUID | None = None
    ) -> "Document":
        """A new draft from a template, with an empty first revision.

        Starting twice with the same ``token`` (a double-submitted form) returns
        the document the first start made.
        """
        if token is not None:
            existing = cls.objects.filter(creation_token=token, owner=owner).first()
            if existing is not None:
                return existing
        try:
            return cls._start(owner=owner, title=title, template=template, token=token)
        except IntegrityError:
            if token is None:
                raise
            existing = cls.objects.filter(creation_token=token, owner=owner).first()
            # Someone else's token (replayed or forged): start afresh without it.
            return existing or cls._start(owner=owner, title=title, template=template, token=None)

    @classmethod
    @transaction.atomic
    def _start(cls, *, owner, title: str, template: DocumentTemplate, token) -> "Document":
        document = cls.objects.create(
            owner=owner, title=title, template=template.key, creation_token=token
        )
        content = Content.empty(template)
        revision = Revision.objects.create(
            document=document,
            number=1,
            author=owner,
            title=title,
            content=content.to_json(),
            rendered=render_content(content),
            changed_sections=[],
        )
        document.current_revision = revision
        document.search_text = title
        document.save(update_fields=["current_revision", "search_text"])
        document.is_new = True
        return document

    # -- permissions --------------------------------------------------------

    def is_editor(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return user.pk == self.owner_id or exists(
            "Document.is_editor", _collaboration, self.pk, user.pk
        )

    def can_read(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if not self.restricted or user.is_leader or self.is_editor(user):
            return True
        return exists("Document.can_read", _readership, self.pk, user.pk)

    def can_manage(self, user) -> bool:
        return user.is_authenticated and user.pk == self.owner_id

    # -- editing ------------------------------------------------------------

    # Inside a caller's transaction (a view's, with its audit entry), no savepoint of its
    # own: two statements fewer per autosave. Any exception from it (an EditConflict)
    # then spoils the caller's transaction: a caller that goes on after one wraps the
    # call in an atomic() of its own.
    @transaction.atomic(savepoint=False)
    def save_content(
        self,
        *,
        by,
        title: str,
        content: Content,
        base_version: int,
        checkpoint: bool = False,
        partial: bool = False,
    ) -> SaveResult:
        """Save new text based on ``base_version``; raise EditConflict if someone got there first.

        Unchanged text saves nothing (a double submit is harmless). Autosaves by
        the same author coalesce into their newest unsealed revision; a checkpoint
        (the Save button) seals the revision it writes. A ``partial`` text (an autosave
        posts only what changed) is the current text with some fields replaced: it is
        saved only on ``base_version`` itself, since the rest of its page is that version's.
        """
        # The document locked first, its current revision read after: joined in the locking
        # query, PostgreSQL re-checks the join of a row another save just changed against
        # the revision of its snapshot, and answers no revision at all.
        # Every autosave's: their statements compiled once (prfaq.compiled).
        locked = one("Document.save_content.lock", _locked_for_saving, self.pk)
        self.status = locked.status  # as of the lock: what follows the save decides by it
        if partial and locked.version != base_version:
            # Even when the text is the current one: the page's other fields are older.
            raise EditConflict(locked)
        current = by_pk(
            "Document.save_content.current", Revision.objects.all, locked.current_revision_id
        )
        current.document = self  # the gates read the outline through it: no query
        current_content = current.as_content()
        if title == current.title and content == current_content:
            indexed = False
            if checkpoint:
                current.seal()  # Save right after an autosave keeps what the autosave wrote
                if locked.search_due_at is not None:  # and makes it searchable at once
                    update(Document, self.pk, **_indexed(title, content))
                    indexed = True
            return SaveResult(
                revision=current,
                version=locked.version,
                changed=False,
                created=False,
                indexed=indexed,
            )
        if locked.version != base_version:
            raise EditConflict(locked)

        now = timezone.now()
        outline = self.outline
        retitled = title != current.title
        if current.can_absorb(by=by, at=now):
            # What the revision changed is counted from the one before it: its title and text.
            before = one(
                "Document.save_content.previous", _revision_before, self.pk, current.number
            )
            previous = (before.title, before.content) if before else None
            revision, created = current, False
        else:
            previous = (current.title, current.content)
            revision, created = Revision(document=self, number=current.number + 1), True
        base = Content.from_json(previous[1]) if previous else Content.empty(outline)
        revision.author = by
        revision.title = title
        revision.content = content.to_json()
        revision.rendered = render_content(content, reuse=(current_content, current.rendered))
        revision.word_count = content.word_count
        revision.changed_sections = content.changed_keys(base, outline)
        if previous is None or title != previous[0]:
            revision.changed_sections.insert(0, "title")
        revision.sealed = checkpoint
        if created:
            insert(revision)
        else:
            revision.updated_at = now
            update(Revision, revision.pk, **{name: getattr(revision, name) for name in _ABSORBED})

        changes = {
            "version": locked.version + 1,
            "title": title,
            "current_revision": revision,
            "word_count": revision.word_count,
            "updated_at": now,
        }
        if created or checkpoint or retitled or _search_overdue(locked, now):
            changes |= _indexed(title, content)
        elif locked.search_due_at is None:
            # Indexing the whole text is most of what a save costs the database (PostgreSQL's
            # to_tsvector, SQLite's FTS5 triggers), and an author typing autosaves every few
            # seconds: one rewriting its open revision leaves search behind for SEARCH_DELAY
            # at most. The worker catches up then; failing that, the next autosave does.
            from prfaq.tasks import refresh_search  # the task module imports this one

            changes["search_due_at"] = now + SEARCH_DELAY
            refresh_search.using(run_after=changes["search_due_at"]).enqueue(self.pk)
        update(Document, self.pk, **changes)
        for name, value in changes.items():
            setattr(self, name, value)
        return SaveResult(revision=revision, version=self.version, changed=True, created=created)

    @classmethod
    def catch_up_search(cls, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> bool:
        """Bring search up to the document's text where a save left it behind (see
        ``save_content``); whether it did. Moves no version: an open editor stays current."""
        with transaction.atomic(using=using, savepoint=False):  # in a caller's, as it is
            documents = cls.objects.using(using)
            behind = (
                documents.select_for_update()
                .filter(pk=pk, search_due_at__isnull=False)
                .only("title", "current_revision_id")
                .first()
            )
            if behind is None:  # gone, or a save since brought it up to date
                return False
            revision = (
                Revision.objects.using(using)
                .only("title", "content")
                .filter(pk=behind.current_revision_id)
                .first()
            )
            title, content = (
                (revision.title, revision.as_content())
                if revision is not None
                else (behind.title, Content())  # deleted outside the app: the title at least
            )
            documents.filter(pk=pk).update(**_indexed(title, content))
            return True

    @transaction.atomic
    def set_sharing(self, *, restricted: bool, collaborators) -> None:
        collaborators = [u for u in collaborators if u.pk != self.owner_id]
        self.restricted = restricted
        self.save(update_fields=["restricted"])
        self.collaborators.set(collaborators)


def _collaboration(document_pk: int, user_pk: int):
    return Document.collaborators.through.objects.filter(document_id=document_pk, user_id=user_pk)


def _readership(document_pk: int, user_pk: int):
    return Document.readers.through.objects.filter(document_id=document_pk, user_id=user_pk)


def _locked_for_saving(pk: int):
    return (
        Document.objects.select_for_update()
        .only("version", "status", "current_revision_id", "search_due_at")
        .filter(pk=pk)
    )


def _indexed(title: str, content: Content) -> dict:
    """A document's search up to date with ``title`` and ``content``: all its words."""
    return {"search_text": f"{title}\n{content.plain_text()}", "search_due_at": None}


def _search_overdue(document: Document, now) -> bool:
    return document.search_due_at is not None and document.search_due_at <= now


def _revision_before(document_pk: int, number: int):
    return (
        Revision.objects.filter(document_id=document_pk, number__lt=number)
        .order_by("-number")
        .only("title", "content")
    )


# What an autosave rewrites of the unsealed revision it coalesces into.
_ABSORBED = (
    "author",
    "title",
    "content",
    "rendered",
    "word_count",
    "changed_sections",
    "sealed",
    "updated_at",
)


class Revision(models.Model):
    """One saved state of a document. Sealed revisions never change."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="revisions"
    )
    title = models.CharField(max_length=200)
    content = models.JSONField(default=dict)
    rendered = models.JSONField(default=dict)
    changed_sections = models.JSONField(default=list)
    word_count = models.PositiveIntegerField(default=0)
    sealed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} r{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("prfaq:revision", args=[self.document_id, self.number])

    def as_content(self) -> Content:
        return Content.from_json(self.content)

    def can_absorb(self, *, by, at) -> bool:
        """Whether an autosave by ``by`` at ``at`` may rewrite this revision in place."""
        return (
            not self.sealed and self.author_id == by.pk and at - self.created_at < COALESCE_WINDOW
        )

    def seal(self) -> None:
        """Freeze this revision: something (a review, a comment) now points at it."""
        if not self.sealed:
            Revision.objects.filter(pk=self.pk).update(sealed=True)
            self.sealed = True


class Stamp(models.Model):
    """A counter that moves whenever what pages show may have changed.

    ``site`` moves with every recorded change, ``everything`` with changes that may touch
    any page (the admin, management commands). Cached pages are keyed on them
    (``prfaq.pagecache``).
    """

    SITE = "site"
    EVERYTHING = "everything"

    name = models.CharField(max_length=20, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
