"""Whole pages kept per person until what they show changes.

A page is cached under a key naming the person, the URL (with its query), whether htmx
asked for it, and counters that move with every change that could alter it:

* the document's row for a document's pages (``STAMP_FIELDS``: its activity counter, and
  the version, current revision and time a save moves),
* the ``site`` stamp for pages over many documents (the dashboard and search),
* the ``everything`` stamp for all of them.

``audit.log.record`` moves them (``changed``) inside the transaction of each change it
records (a save, which moves its document's version itself, only the ``site`` stamp), and
the management commands that write do too, so a page is never served after a change, only
left unused. The counters are read before the page's data (the person's row carries the
stamps, the document its own), so what is cached under a key is never older than the key.

What differs per request stays out of the cached text: the CSRF token and the Inbox
badge are placeholders filled in on the way out, and a page showing flash messages is
neither cached nor served from the cache. Relative times ("3 minutes ago") and due dates
keep a page for at most ``PAGE_SECONDS``. Each worker process keeps its own entries,
bounded (``CACHES["pages"]``).
"""

import hashlib
import secrets
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connections, router
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from prfaq.authorizers import Action, get_document_for
from prfaq.compiled import by_pk
from prfaq.models import Document, Stamp

PAGE_SECONDS = 30
LARGEST_PAGE = 512 * 1024
# Unguessable, so that no text a person writes (a comment, a link in it) can hold it and
# be filled in with the token of whoever reads it; per process, as the caches are.
CSRF_MARK = f"csrf{secrets.token_hex(16)}"
INBOX_MARK = "<!--inbox-badge-->"
RENDERING = "_rendering_for_page_cache"


def changed(*, document_id: int | None = None, everything: bool = False) -> None:
    """Move the counters; call it inside the transaction of the change, as its last write.

    Every change moves the one ``site`` row, so every writer waits for it: the rows are
    locked in one order (the document, ``everything``, ``site``) and ``site`` last, so
    that whoever holds it waits for nothing else and two changes cannot deadlock.
    """
    # Plain SQL: every change runs these, and building them with the ORM cost Django
    # 0.4 ms each, several times what the database takes.
    connection = connections[router.db_for_write(Document)]
    moved = _counter_sql(connection.alias)
    with connection.cursor() as cursor:
        if document_id is not None:
            cursor.execute(moved["activity"], [document_id])
        for name in [Stamp.EVERYTHING, Stamp.SITE] if everything else [Stamp.SITE]:
            cursor.execute(moved["stamp"], [name])
            if not cursor.rowcount:
                # A new (or flushed) database: make the row, then move it.
                Stamp.objects.bulk_create([Stamp(name=name)], ignore_conflicts=True)
                cursor.execute(moved["stamp"], [name])


@cache
def _counter_sql(alias: str) -> dict[str, str]:
    """``changed``'s two statements, with the tables' and columns' names quoted; built
    once per database."""
    quote = connections[alias].ops.quote_name

    def moving(model, counter: str, key: str) -> str:
        meta = model._meta
        column = quote(meta.get_field(counter).column)
        where = quote(meta.get_field(key).column)
        return f"UPDATE {quote(meta.db_table)} SET {column} = {column} + 1 WHERE {where} = %s"

    return {
        "activity": moving(Document, "activity", "id"),
        "stamp": moving(Stamp, "value", "name"),
    }


def stamps_of(user) -> tuple[int | None, int | None]:
    """(site, everything) as fetched with the person's row (``prfaq.backends``)."""
    if not hasattr(user, "stamp_site"):  # a session from another backend
        values = dict(Stamp.objects.values_list("name", "value"))
        user.stamp_site = values.get(Stamp.SITE)
        user.stamp_everything = values.get(Stamp.EVERYTHING)
    return user.stamp_site, user.stamp_everything


# What a document's cached pages are keyed on: any change moves one of them.
STAMP_FIELDS = ("pk", "activity", "version", "current_revision_id", "updated_at")


def document_page(
    request: HttpRequest,
    pk: int,
    render: Callable[[Document], HttpResponse],
    *,
    action: Action = "read",
) -> HttpResponse:
    """A page about one document: ``render(document)``, from the cache while the document
    has not changed.

    Whether the person may read it, and the counters, come first in one small query; only
    a page not in the cache fetches the document whole (``get_document_for``, which also
    refuses what the person may not ``action``). A page is cached only after that check
    passed for the same person and the same state of the document.
    """
    user = request.user
    if not _may_cache(request):
        return render(get_document_for(user, pk, action=action))
    # Readability asked of the row, as ``get_document_for`` does (``visible_to``'s EXISTS
    # cost ten times more to compile than the query takes).
    document = by_pk("pagecache.document_page", _stamp_queryset, pk)
    if document is None or not document.can_read(user):
        raise Http404("No such document.")
    stamp = [getattr(document, name) for name in STAMP_FIELDS]
    return _cached(
        request, [action, *stamp], lambda: render(get_document_for(user, pk, action=action))
    )


def _stamp_queryset():
    return Document.objects.only(*STAMP_FIELDS, "restricted", "owner_id")


def cached_page(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """A page that may show any document (the dashboard, search): ``render()``'s response,
    from the cache until the next change anywhere (the site stamp)."""
    if not _may_cache(request):
        return render()
    return _cached(request, [stamps_of(request.user)[0]], render)


def _may_cache(request: HttpRequest) -> bool:
    # A page showing flash messages shows them once.
    return (
        settings.PAGE_CACHE
        and request.method == "GET"
        and request.user.is_authenticated
        and not len(get_messages(request))
    )


def _cached(request: HttpRequest, stamp: list, render: Callable[[], HttpResponse]):
    user = request.user
    parts = [
        request.get_full_path(),
        bool(request.headers.get("HX-Request")),
        user.pk,
        stamps_of(user)[1],
        *stamp,
    ]
    key = "page:" + hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    pages = caches["pages"]
    entry = pages.get(key)
    if entry is None:
        setattr(request, RENDERING, True)
        try:
            response = render()
        finally:
            setattr(request, RENDERING, False)
        # A message the view queued shows on this page, and only on this one.
        if not _keepable(response) or len(get_messages(request)):
            return _filled(request, response)
        entry = (response.status_code, _headers(response), response.content.decode())
        pages.set(key, entry, timeout=PAGE_SECONDS)
    status, headers, text = entry
    return HttpResponse(_fill(request, text), status=status, headers=headers)


def rendering_for_cache(request: HttpRequest | None) -> bool:
    return bool(getattr(request, RENDERING, False))


def _keepable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and len(response.content) <= LARGEST_PAGE
        and response.get("Content-Type", "").startswith("text/html")
    )


def _headers(response: HttpResponse) -> dict:
    return {k: v for k, v in response.headers.items() if k.lower() != "content-length"}


def _filled(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A response rendered with the placeholders, not kept: fill them in all the same."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/"):
        return response
    text = response.content.decode()
    if CSRF_MARK in text or INBOX_MARK in text:
        response.content = _fill(request, text)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
    return response


def _fill(request: HttpRequest, text: str) -> str:
    if CSRF_MARK in text:
        text = text.replace(CSRF_MARK, get_token(request))
    if INBOX_MARK in text:
        from reviews.context_processors import inbox_badge

        text = text.replace(INBOX_MARK, inbox_badge(request))
    return text
