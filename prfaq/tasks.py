"""Background work of drafting: search catching up with the text an author is typing."""

from django.db import transaction
from django.tasks import task

from prfaq.models import Document
from prfaq.pagecache import changed


@task()
def refresh_search(document_id: int) -> bool:
    """Index the text autosaves left out of search (``Document.save_content``); whether
    there was any. Search pages are cached until something changes: this moves them on."""
    with transaction.atomic():
        caught_up = Document.catch_up_search(document_id)
        if caught_up:
            changed()
    return caught_up
