"""Rules that span drafting and review, each one plain function in one transaction."""

import uuid
from html import unescape

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from prfaq.content import Content, FaqEntry
from prfaq.cues import sentences
from prfaq.document_templates import DocumentTemplate
from prfaq.models import Document, SaveResult
from prfaq.rendering import render_markdown
from reviews.models import Comment, GateReport, Thread


@transaction.atomic
def start_document(
    *, owner, title: str, template: DocumentTemplate, token: uuid.UUID | None = None
) -> Document:
    """A new draft from a template, checked by the gates from its first revision."""
    document = Document.start(owner=owner, title=title, template=template, token=token)
    GateReport.for_revision(document.current_revision)
    return document


@transaction.atomic
def save_draft(
    *,
    document: Document,
    by,
    title: str,
    content: Content,
    base_version: int,
    checkpoint: bool = False,
) -> SaveResult:
    """Save the editor's text (see ``Document.save_content``) and re-run the gates on it."""
    result = document.save_content(
        by=by, title=title, content=content, base_version=base_version, checkpoint=checkpoint
    )
    if result.changed:
        GateReport.record(result.revision)
    return result


@transaction.atomic
def add_thread_to_faq(*, thread, by) -> int:
    """Turn the question a thread raises into a new FAQ entry; returns its number.

    The entry links back to the thread, and the thread records it. Editors only.
    """
    document = Document.objects.select_for_update().get(pk=thread.document_id)
    if not document.is_editor(by):
        raise PermissionDenied("Only the author and collaborators can change the FAQ.")
    if thread.faq_added_at:
        raise ValidationError("This thread's question is already in the FAQ.")
    first = thread.comments.filter(deleted_at__isnull=True).order_by("created_at", "pk").first()
    if first is None:
        raise ValidationError("The thread has no comment left to take a question from.")
    question = question_from(first.body)
    revision = document.current_revision
    content = revision.as_content()
    faq = (*content.faq, FaqEntry(question=question, side="internal", thread=thread.pk))
    save_draft(
        document=document,
        by=by,
        title=revision.title,
        content=Content(sections=content.sections, faq=faq),
        base_version=document.version,
        checkpoint=True,
    )
    Thread.objects.filter(pk=thread.pk).update(faq_added_at=timezone.now())
    Comment.objects.create(
        thread=thread,
        author=by,
        body=f"Added to the FAQ as question {len(faq)}.",
        body_html=f"<p><em>Added to the FAQ as question {len(faq)}.</em></p>",
    )
    return len(faq)


def question_from(body: str) -> str:
    """The question a comment asks: its first sentence ending in "?", else its first line."""
    text = " ".join(strip_tags(render_markdown(body)).split())
    for sentence in sentences(text):
        if sentence.endswith("?"):
            return unescape(sentence)[:1000]
    return unescape(text)[:1000]
