"""Who may reach a thread or a comment: through the document, or not at all."""

from django.http import Http404

from prfaq.authorizers import get_document_for
from prfaq.compiled import one
from reviews.models import Comment, Thread


def get_thread_for(user, document_pk: int, thread_pk: int, *, with_text: bool = True) -> Thread:
    """A thread of a document the user may read; 404 otherwise (also for another document's).
    Thread and document in one query, readability asked of the row as ``get_document_for``
    does; without ``with_text`` the document's current revision is read only if asked for."""
    # Asked by every thread action: compiled once (prfaq.compiled).
    if with_text:
        thread = one("get_thread_for", _thread_and_text, thread_pk, document_pk)
    else:  # nor its owner: what a reply needs of the document is on its own row
        thread = one("get_thread_for.without_text", _thread_only, thread_pk, document_pk)
    if thread is None or not thread.document.can_read(user):
        raise Http404("No such thread on this document.")
    return thread


def _thread(thread_pk: int, document_pk: int, *, related=("document__owner",)):
    return (
        Thread.objects.select_related(*related)
        .defer("document__search_text")  # the whole text again, for search only
        .filter(pk=thread_pk, document_id=document_pk)
    )


def _thread_only(thread_pk: int, document_pk: int):
    return _thread(thread_pk, document_pk, related=("document",))


def _thread_and_text(thread_pk: int, document_pk: int):
    return _thread(
        thread_pk, document_pk, related=("document__owner", "document__current_revision")
    )


def thread_of(document, thread_pk: int) -> Thread:
    """A thread of ``document`` (one the caller may read); 404 for another document's."""
    thread = Thread.objects.filter(pk=thread_pk, document=document).first()
    if thread is None:
        raise Http404("No such thread on this document.")
    thread.document = document
    return thread


def get_comment_for(user, document_pk: int, comment_pk: int) -> Comment:
    document = get_document_for(user, document_pk)
    comment = (
        Comment.objects.select_related("thread")
        .filter(pk=comment_pk, thread__document=document)
        .first()
    )
    if comment is None:
        raise Http404("No such comment on this document.")
    comment.thread.document = document
    return comment
