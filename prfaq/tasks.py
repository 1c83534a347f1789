"""Background work of drafting: search catching up with the text an author is typing."""

from django.db import transaction
from django.tasks import task

from prfaq.models import Document
from prfaq.pagecache import changed


@task()
def refresh_search(document_id: int) -> int:
    """Index the text autosaves left out of search (``Document.save_content``), this
    document's and any other's overdue (its own catch-up failed, or the worker was down);
    how many. Search pages are cached until something changes: this moves them on."""
    caught_up = 0
    overdue = Document.objects.search_overdue().values_list("pk", flat=True)[:100]
    for pk in dict.fromkeys([document_id, *overdue]):
        with transaction.atomic():
            if Document.catch_up_search(pk):
                changed()
                caught_up += 1
    return caught_up
