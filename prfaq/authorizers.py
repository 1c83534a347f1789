"""Who may do what to a document: the one place views ask."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404

from prfaq.compiled import by_pk
from prfaq.models import Document

Action = Literal["read", "edit", "manage"]


def get_document_for(user, pk: int, *, action: Action = "read", with_text: bool = True) -> Document:
    """The document if ``user`` may ``action`` it, with its owner and current revision;
    not ``with_text``, for an autosave: with its current revision's title and text only,
    what a partial autosave completes (a save locks and reads the revision itself).

    404 for anyone who may not know it exists (restricted, unknown, anonymous);
    403 for people who may read it but not do this.
    """
    if with_text:
        document = (
            Document.objects.select_related("owner", "current_revision")
            .defer("search_text")  # the whole text again, for search only
            .filter(pk=pk)
            .first()
        )
    else:  # an autosave, every few seconds: its query compiled once
        document = by_pk("authorizers.get_document_for", _autosaved_document, pk)
    # Asked of the row (``can_read``: a query only for a restricted document someone else
    # owns), not in the query: ``visible_to``'s two EXISTS cost more to build than to run.
    if document is None or not document.can_read(user):
        raise Http404("No such document.")
    if action == "edit" and not document.is_editor(user):
        raise PermissionDenied("Only the author and collaborators can edit this document.")
    if action == "manage" and not document.can_manage(user):
        raise PermissionDenied("Only the author can change who shares this document.")
    return document


def _autosaved_document():
    # Joined, the row and the text are of one moment: the text is that of the row's version.
    # Not the search text (the whole text again) nor the revision's rendered HTML.
    return Document.objects.select_related("current_revision").defer(
        "search_text", "current_revision__rendered"
    )
