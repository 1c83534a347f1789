"""The discussion around a document, laid out for its page: threads by section, counts,
outdated marks and the highlights of quoted passages. Computed in Python, so the
templates only loop."""

import dataclasses
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from prfaq.models import Document, Revision
from prfaq.rendering import PageView
from reviews.models import (
    BlindReading,
    Comment,
    Notification,
    Subscription,
    Thread,
    readable_text,
    section_digest,
    section_text,
)

# A discussion this small comes with the page; a bigger one is sent as thread counts per
# section, and each section's threads load as requests of their own, a page at a time.
INLINE_THREADS = 20
THREADS_PER_PAGE = 10
# A long thread shows its first comment and its latest replies; the rest on request.
RECENT_COMMENTS = 10
# A reply brings back what others posted since the page loaded, up to this many; a page
# further behind gets the whole thread again. A busy thread is typically a few behind
# (16 people replying at once: about 15).
CATCH_UP_COMMENTS = 50


@dataclass
class ThreadView:
    thread: Thread
    comments: list[Comment]
    section_title: str
    outdated: bool
    can_resolve: bool
    can_add_to_faq: bool
    mine: bool
    reply_form: object = None
    earlier: int = 0  # comments between the first and the recent ones, not shown
    error: str = ""

    @property
    def first(self) -> Comment:
        return self.comments[0]

    @property
    def replies(self) -> list[Comment]:
        return self.comments[1:]

    @property
    def last_pk(self) -> int:
        """The newest comment shown: a reply answers with the comments after it."""
        return max(comment.pk for comment in self.comments)


@dataclass
class SectionThreads:
    key: str
    title: str
    threads: list[ThreadView]
    count: int = 0
    lazy: bool = False


@dataclass
class Discussion:
    sections: list[SectionThreads]
    open_count: int
    resolved_count: int
    hidden_until_posted: bool
    can_offer_blind: bool
    subscription: str
    reading: bool
    lazy: bool = False
    highlights: list = dataclasses.field(default_factory=list)

    @property
    def threads(self) -> list[ThreadView]:
        return [t for s in self.sections for t in s.threads]


class CurrentText:
    """The current revision's sections as readers see them and their digests, computed once."""

    def __init__(self, revision: Revision) -> None:
        self.revision = revision
        self._content = None
        self._readable: dict[str, str] = {}
        self._digest: dict[str, str] = {}

    @property
    def content(self):
        if self._content is None:
            self._content = self.revision.as_content()
        return self._content

    def _cached(self, kind: str, key: str, compute):
        # A revision's text changes only with its updated_at: the key says which text it was.
        name = f"{kind}:{self.revision.pk}:{self.revision.updated_at.timestamp()}:{key}"
        value = cache.get(name)
        if value is None:
            value = compute()
            cache.set(name, value, timeout=24 * 3600)
        return value

    def readable(self, key: str) -> str:
        if key not in self._readable:
            self._readable[key] = self._cached(
                "readable", key, lambda: readable_text(self.revision, key)
            )
        return self._readable[key]

    def digest(self, key: str) -> str:
        if key not in self._digest:
            self._digest[key] = self._cached(
                "digest", key, lambda: section_digest(section_text(self.content, key))
            )
        return self._digest[key]

    def outdated(self, thread) -> bool:
        return Thread.is_outdated(
            thread, digest=self.digest(thread.section), readable=self.readable(thread.section)
        )


def visible_comments(comments: list[Comment]) -> list[Comment]:
    """A deleted comment stays as a tombstone only where later comments need it."""
    comments = list(comments)
    while comments and comments[-1].is_deleted:
        comments.pop()
    return comments


def with_comment_counts(threads):
    # Meta.ordering does not apply to a grouped query: say it again.
    return threads.annotate(comment_count=Count("comments")).order_by("created_at", "pk")


def threads_for_page(threads) -> list[Thread]:
    """``threads`` (from ``with_comment_counts``) with their first comment and their latest
    ones: every comment of the short threads in one query, two queries per long thread
    (a page has a bounded number of threads, and long ones are rare)."""
    threads = list(threads)
    short = [t for t in threads if t.comment_count <= RECENT_COMMENTS + 1]
    comments: dict[int, list[Comment]] = {t.pk: [] for t in short}
    if short:
        for comment in (
            Comment.objects.select_related("author")
            .filter(thread__in=short)
            .order_by("-created_at", "-pk")
        ):
            comments[comment.thread_id].append(comment)
    for thread in threads:
        if thread.pk in comments:
            thread.opening, thread.latest = [], comments[thread.pk]
        else:
            load_comments(thread)
    return threads


def load_comments(thread: Thread, *, everything: bool = False) -> None:
    """What ``threads_for_page`` loads for many threads, for one: usually in one query."""
    comments = thread.comments.select_related("author")
    if everything:
        thread.opening, thread.latest = [], list(comments.order_by("-created_at", "-pk"))
    else:
        thread.latest = list(comments.order_by("-created_at", "-pk")[: RECENT_COMMENTS + 1])
        thread.opening = []
        if len(thread.latest) > RECENT_COMMENTS:
            thread.latest.pop()
            thread.opening = [comments.order_by("created_at", "pk").first()]
    thread.comment_count = thread.comments.count() if thread.opening else len(thread.latest)


def thread_view(thread: Thread, user, current: CurrentText, *, can_edit: bool) -> ThreadView | None:
    """How ``thread`` shows to ``user``, from what ``threads_for_page`` or ``load_comments``
    loaded."""
    latest = thread.latest[::-1]
    comments = [c for c in thread.opening if c not in latest] + latest
    earlier = thread.comment_count - len(comments)
    comments = visible_comments(comments)
    if not comments:
        return None
    spec = thread.document.outline.section(thread.section)
    return ThreadView(
        thread=thread,
        comments=comments,
        section_title=spec.title if spec else thread.section,
        outdated=current.outdated(thread),
        can_resolve=thread.can_resolve(user),
        can_add_to_faq=can_edit and not thread.faq_added_at,
        mine=thread.started_by_id == user.pk,
        earlier=earlier if len(comments) > 1 else 0,
    )


def thread_views(threads, document: Document, user, *, can_edit: bool) -> list[ThreadView]:
    """How ``threads`` (from ``with_comment_counts``) show to ``user``."""
    current = CurrentText(document.current_revision)
    views = []
    for thread in threads_for_page(threads):
        thread.document = document  # spare a query per thread
        if view := thread_view(thread, user, current, can_edit=can_edit):
            views.append(view)
    return views


def hides_others(document: Document, user) -> bool:
    """Whether ``user`` chose not to see others' comments until posting their own."""
    if document.status != Document.Status.IN_REVIEW:
        return False
    commented = Comment.objects.filter(
        thread__document=document, author=user, deleted_at__isnull=True
    ).exists()
    return not commented and BlindReading.objects.filter(user=user, document=document).exists()


def discussion_for(
    document: Document, user, *, can_edit: bool, reading: bool = False
) -> Discussion:
    """The sidebar: counts, highlights and, for a small discussion, the threads themselves.

    One query summarises every live thread (section, quote, state); only a discussion of
    up to ``INLINE_THREADS`` threads is loaded in full.
    """
    current = CurrentText(document.current_revision)
    summary = list(
        document.threads.live()
        .order_by()
        .values_list("pk", "section", "quote", "section_digest", "resolved_at", named=True)
    )
    lazy = len(summary) > INLINE_THREADS
    in_review = document.status == Document.Status.IN_REVIEW
    commented = in_review and (
        Comment.objects.filter(
            thread__document=document, author=user, deleted_at__isnull=True
        ).exists()
    )
    blind = (
        in_review
        and not commented
        and BlindReading.objects.filter(user=user, document=document).exists()
    )
    hidden = blind or reading
    if hidden:
        summary = []
    views = []
    if not (hidden or lazy):
        threads = with_comment_counts(document.threads.live())
        views = thread_views(threads, document, user, can_edit=can_edit)
    by_key = {
        spec.key: SectionThreads(spec.key, spec.title, [], lazy=lazy)
        for spec in document.outline.sections
    }
    for row in summary:
        by_key.setdefault(row.section, SectionThreads(row.section, row.section, [], lazy=lazy))
        by_key[row.section].count += 1
    for view in views:
        by_key[view.thread.section].threads.append(view)
    subscription = (
        Subscription.objects.filter(user=user, document=document)
        .values_list("state", flat=True)
        .first()
    )
    resolved = sum(1 for row in summary if row.resolved_at is not None)
    return Discussion(
        sections=[s for s in by_key.values() if s.count],
        open_count=len(summary) - resolved,
        resolved_count=resolved,
        hidden_until_posted=blind,
        can_offer_blind=in_review and not commented and not blind,
        subscription=subscription or "",
        reading=reading,
        lazy=lazy,
        highlights=[
            row
            for row in summary
            if row.quote and row.resolved_at is None and not current.outdated(row)
        ],
    )


def thread_location(thread: Thread) -> str:
    """Where ``thread`` is shown: on the read view when the discussion comes with it,
    otherwise on the page of its section's threads that holds it."""
    document = thread.document
    live = document.threads.live()
    if live.count() <= INLINE_THREADS:
        return f"{document.get_absolute_url()}#thread-{thread.pk}"
    before = (
        live.filter(section=thread.section)
        .filter(Q(created_at__lt=thread.created_at) | Q(created_at=thread.created_at,
                                                         pk__lt=thread.pk))
        .count()
    )  # fmt: skip
    url = reverse("reviews:section_threads", args=[document.pk, thread.section])
    return f"{url}?page={before // THREADS_PER_PAGE + 1}#thread-{thread.pk}"


def thread_link(document: Document, *, lazy: bool, elsewhere: bool = False):
    """Where a highlight sends the reader: the thread beside the text on the read view
    (``elsewhere``: from another page), or the thread's permalink when threads load lazily."""
    if lazy:
        return lambda pk: reverse("reviews:thread", args=[document.pk, pk]) + f"#thread-{pk}"
    prefix = document.get_absolute_url() if elsewhere else ""
    return lambda pk: f"{prefix}#thread-{pk}"


def highlight_quotes(page: PageView, threads, *, link) -> PageView:
    """Mark the quoted passages of ``threads``; ``link(pk)`` is where a thread is shown."""
    if not any(thread.quote for thread in threads):
        return page
    html = {s.spec.key: s.html for s in page.sections}
    answers = {f.number: f.answer_html for f in (*page.external_faq, *page.internal_faq)}
    for thread in threads:
        if thread.quote and thread.section in html:
            html[thread.section] = _mark(html[thread.section], thread.quote, thread.pk, link)
        elif thread.quote and thread.section == "faq":
            for number, answer in answers.items():
                marked = _mark(answer, thread.quote, thread.pk, link)
                if marked != answer:
                    answers[number] = marked
                    break
    page = dataclasses.replace(
        page,
        external_faq=tuple(
            dataclasses.replace(f, answer_html=answers[f.number]) for f in page.external_faq
        ),
        internal_faq=tuple(
            dataclasses.replace(f, answer_html=answers[f.number]) for f in page.internal_faq
        ),
    )
    sections = tuple(dataclasses.replace(s, html=html[s.spec.key]) for s in page.sections)
    return dataclasses.replace(page, sections=sections)


# How a character of the quote may appear in sanitised HTML.
_HTML_CHAR = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "'": "(?:'|&#x27;|&#39;)",
    '"': '(?:"|&quot;|&#34;)',
}


def _mark(html: str, quote: str, thread_id: int, link) -> str:
    """Wrap the first occurrence of ``quote`` that lies in text, not inside a tag."""
    needle = "".join(_HTML_CHAR.get(c, r"\s+" if c.isspace() else re.escape(c)) for c in quote)
    for match in re.finditer(needle, html):
        before = html[: match.start()]
        if before.rfind("<") > before.rfind(">"):
            continue  # inside a tag
        if re.search(r"&#?\w*$", before):
            continue  # inside an entity such as &amp;
        if before.count("<a ") + before.count("<a>") > before.count("</a>"):
            continue  # inside a link (or an earlier mark's link): links must not nest
        return (
            f'{before}<mark class="comment-anchor" id="anchor-{thread_id}">'
            f'<a href="{link(thread_id)}" data-thread="{thread_id}">'
            f"{match.group(0)}</a></mark>"
            f"{html[match.end() :]}"
        )
    return html


def open_thread_count():
    """An annotation: how many open threads a document has."""
    threads = (
        Thread.objects.open()
        .live()
        .filter(document=OuterRef("pk"))
        .order_by()
        .values("document")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(threads), 0)


ATTENTION_SCAN = 50


@dataclass
class Attention:
    """What the dashboard puts first: open threads on my documents, and mentions of me."""

    documents: list
    mentions: list


def needs_attention(user, *, limit: int = 5) -> Attention:
    # Counted over my most recently updated documents only (owned, and shared with me: each
    # half read in order from its own index), so that the work per page stays the same
    # however many documents I have.
    owned = Document.objects.filter(owner=user).order_by("-updated_at")
    shared = Document.collaborators.through.objects.filter(user=user).order_by(
        "-document__updated_at"
    )
    # Two small indexed queries: one with an OR of the two made PostgreSQL scan.
    mine = [
        *owned.values_list("pk", "title", "updated_at")[:ATTENTION_SCAN],
        *shared.values_list("document_id", "document__title", "document__updated_at")[
            :ATTENTION_SCAN
        ],
    ]
    counts = dict(
        Thread.objects.open()
        .live()
        .filter(document_id__in=[pk for pk, _, _ in mine])
        .order_by()
        .values_list("document_id")
        .annotate(open_threads=Count("pk"))
    )
    documents = []
    for pk, title, _updated in sorted(
        {row for row in mine if row[0] in counts},
        key=lambda row: (-counts[row[0]], -row[2].timestamp()),
    )[:limit]:
        documents.append(Document(pk=pk, title=title))
        documents[-1].open_threads = counts[pk]
    mentions = (
        Notification.objects.filter(
            recipient=user,
            kind=Notification.Kind.MENTION,
            read_at__isnull=True,
            document__in=Document.objects.visible_to(user),
        )
        .select_related("actor", "document")
        .order_by("-created_at")[:limit]
    )
    return Attention(documents=list(documents), mentions=list(mentions))
