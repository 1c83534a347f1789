"""The discussion around a document, laid out for its page: threads by section, counts,
outdated marks and the highlights of quoted passages. Computed in Python, so the
templates only loop."""

import dataclasses
import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from prfaq.models import Document, Revision
from prfaq.rendering import PageView
from reviews.models import (
    BlindReading,
    Comment,
    Notification,
    Subscription,
    Thread,
    readable_text,
    section_text,
)


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

    @property
    def first(self) -> Comment:
        return self.comments[0]

    @property
    def replies(self) -> list[Comment]:
        return self.comments[1:]


@dataclass
class SectionThreads:
    key: str
    title: str
    threads: list[ThreadView]


@dataclass
class Discussion:
    sections: list[SectionThreads]
    open_count: int
    resolved_count: int
    hidden_until_posted: bool
    can_offer_blind: bool
    subscription: str
    reading: bool

    @property
    def threads(self) -> list[ThreadView]:
        return [t for s in self.sections for t in s.threads]


class CurrentText:
    """The current revision's sections, as Markdown and as readers see them, computed once."""

    def __init__(self, revision: Revision) -> None:
        self.revision = revision
        self.content = revision.as_content()
        self._readable: dict[str, str] = {}

    def markdown(self, key: str) -> str:
        return section_text(self.content, key)

    def readable(self, key: str) -> str:
        if key not in self._readable:
            self._readable[key] = readable_text(self.revision, key)
        return self._readable[key]


def visible_comments(thread: Thread) -> list[Comment]:
    """A deleted comment stays as a tombstone only where later comments need it."""
    comments = list(thread.comments.all())
    while comments and comments[-1].is_deleted:
        comments.pop()
    return comments


def thread_view(thread: Thread, user, current: CurrentText, *, can_edit: bool) -> ThreadView | None:
    comments = visible_comments(thread)
    if not comments:
        return None
    spec = thread.document.outline.section(thread.section)
    return ThreadView(
        thread=thread,
        comments=comments,
        section_title=spec.title if spec else thread.section,
        outdated=thread.is_outdated(
            markdown=current.markdown(thread.section), readable=current.readable(thread.section)
        ),
        can_resolve=thread.can_resolve(user),
        can_add_to_faq=can_edit and not thread.faq_added_at,
        mine=thread.started_by_id == user.pk,
    )


def discussion_for(
    document: Document, user, *, can_edit: bool, reading: bool = False
) -> Discussion:
    current = CurrentText(document.current_revision)
    threads = list(document.threads.for_page())
    for thread in threads:
        thread.document = document  # spare a query per thread
    views = [v for t in threads if (v := thread_view(t, user, current, can_edit=can_edit))]
    commented = any(c.author_id == user.pk for v in views for c in v.comments)
    in_review = document.status == Document.Status.IN_REVIEW
    blind = (
        in_review
        and not commented
        and BlindReading.objects.filter(user=user, document=document).exists()
    )
    if blind or reading:
        views = []
    by_key = {
        spec.key: SectionThreads(spec.key, spec.title, []) for spec in document.outline.sections
    }
    for view in views:
        by_key.setdefault(
            view.thread.section, SectionThreads(view.thread.section, view.section_title, [])
        )
        by_key[view.thread.section].threads.append(view)
    subscription = (
        Subscription.objects.filter(user=user, document=document)
        .values_list("state", flat=True)
        .first()
    )
    return Discussion(
        sections=[s for s in by_key.values() if s.threads],
        open_count=sum(1 for v in views if not v.thread.is_resolved),
        resolved_count=sum(1 for v in views if v.thread.is_resolved),
        hidden_until_posted=blind,
        can_offer_blind=in_review and not commented and not blind,
        subscription=subscription or "",
        reading=reading,
    )


def highlight(page: PageView, discussion: Discussion) -> PageView:
    """Mark each open, current thread's quoted passage in the page; clicking opens the thread."""
    return highlight_quotes(
        page, [v.thread for v in discussion.threads if not v.outdated and not v.thread.is_resolved]
    )


def highlight_quotes(page: PageView, threads, *, link: str = "") -> PageView:
    """Mark the quoted passages of ``threads``; ``link`` is the page their threads are on."""
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


def _mark(html: str, quote: str, thread_id: int, link: str = "") -> str:
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
            f'<a href="{link}#thread-{thread_id}" data-thread="{thread_id}">'
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


@dataclass
class Attention:
    """What the dashboard puts first: open threads on my documents, and mentions of me."""

    documents: list
    mentions: list


def needs_attention(user, *, limit: int = 5) -> Attention:
    documents = (
        Document.objects.shared_with(user)
        .annotate(open_threads=open_thread_count())
        .filter(open_threads__gt=0)
        .only("pk", "title")
        .order_by("-open_threads", "-updated_at")[:limit]
    )
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
