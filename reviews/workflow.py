"""Rules that span drafting and review, each one plain function in one transaction."""

import uuid

from django.db import transaction

from prfaq.content import Content
from prfaq.document_templates import DocumentTemplate
from prfaq.models import Document, SaveResult
from reviews.models import GateReport


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
