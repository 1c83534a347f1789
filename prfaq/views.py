"""Views for drafting: dashboard, create, edit (with autosave and preview), read, history."""

import hashlib
import re
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from audit.log import Action, record
from prfaq.authorizers import get_document_for
from prfaq.content import Content, count_words
from prfaq.diffing import compare_contents, word_diff
from prfaq.document_templates import TEMPLATES
from prfaq.forms import (
    DocumentForm,
    ImportConfirmForm,
    ImportForm,
    NewDocumentForm,
    SharingForm,
    completed_data,
    read_within_limits,
)
from prfaq.markdown_io import ImportError_, export_markdown
from prfaq.models import Document, EditConflict, Revision, searching
from prfaq.pagecache import cached_page, changed, document_page
from prfaq.rendering import page_view
from reviews.discussion import (
    INLINE_THREADS,
    discussion_for,
    highlight_quotes,
    needs_attention,
    open_thread_count,
    thread_link,
)
from reviews.forms import NewThreadForm
from reviews.gates import Finding
from reviews.models import GateReport
from reviews.rounds import awaiting_review, review_status
from reviews.workflow import check_draft, refuse_if_stale, save_draft, start_document

DOCUMENTS_PER_PAGE = 20
REVISIONS_PER_PAGE = 25
UNSAVED_KEY = "unsaved-edits"
BODY_CACHE_SECONDS = 24 * 3600


@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    return cached_page(request, lambda: _dashboard(request))


def _dashboard(request: HttpRequest) -> HttpResponse:
    scope = "mine" if request.GET.get("scope") == "mine" else "team"
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    documents = Document.objects.visible_to(request.user)
    if scope == "mine":
        documents = documents.shared_with(request.user)
    documents = documents.search(query)
    if not query:
        documents = documents.order_by("-updated_at", "-pk")
    # The page's ids first, from the index alone; then only those rows with their gate
    # counts and open threads. (Asked at once, SQLite counted threads for every document
    # before sorting them.)
    paginator = Paginator(documents.values_list("pk", flat=True), DOCUMENTS_PER_PAGE)
    with searching(query):
        paginator.count = documents.order_by().count()  # counted without the listing's joins
        page = paginator.get_page(request.GET.get("page"))
        ids = list(page.object_list)
    rows = (
        Document.objects.for_listing()
        .annotate(
            blockers=F("current_revision__gate_report__blockers"),
            warnings=F("current_revision__gate_report__warnings"),
            open_threads=open_thread_count(),
        )
        .in_bulk(ids)
    )
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    context = {
        "page": page,
        "scope": scope,
        "query": query,
        "attention": None if request.htmx else needs_attention(request.user),
        "awaiting": None if request.htmx else awaiting_review(request.user),
        "page_query": urlencode({k: v for k, v in (("scope", scope), ("q", query)) if v}),
    }
    template = "prfaq/dashboard.html#document-list" if request.htmx else "prfaq/dashboard.html"
    return render(request, template, context)


@login_required
def document_new(request: HttpRequest) -> HttpResponse:
    form = NewDocumentForm(request.POST) if request.method == "POST" else NewDocumentForm()
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            document = start_document(
                owner=request.user,
                title=form.cleaned_data["title"],
                template=form.cleaned_data["template"],
                token=form.cleaned_data["token"],
            )
            if document.is_new:
                record(request, Action.DOCUMENT_CREATED, document=document)
        return redirect("prfaq:edit", document.pk)
    return render(request, "prfaq/document_new.html", {"form": form, "templates": TEMPLATES})


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return document_page(request, pk, lambda document: render_document_page(request, document))


@login_required
def revision_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return document_page(
        request,
        pk,
        lambda document: render_document_page(
            request, document, revision=_revision_or_404(document, number)
        ),
    )


@vary_on_headers("HX-Request")
def render_document_page(
    request: HttpRequest,
    document: Document,
    *,
    revision: Revision | None = None,
    thread_form=None,
    discussion_error: str = "",
    partial: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The read view, with its discussion when it shows the current text.

    Comment actions (in ``reviews``) render it too: as the ``discussion-update``
    partial for htmx, as the whole page otherwise.
    """
    revision = revision or document.current_revision
    is_current = revision.pk == document.current_revision_id
    can_edit = document.is_editor(request.user)
    reading = request.GET.get("reading") == "1"
    discussion = None
    if is_current:
        discussion = discussion_for(document, request.user, can_edit=can_edit, reading=reading)
    context = {
        "document": document,
        "doc_url": document.get_absolute_url(),
        "revision": revision,
        "is_current": is_current,
        "can_edit": can_edit,
        "body": read_view_body(document, revision, discussion),
        "discussion": discussion,
        "reading": reading,
        "thread_form": thread_form,
        "thread_fields": None if thread_form or not is_current else new_thread_fields(document),
        "discussion_error": discussion_error,
        "review": review_status(document),
        # Submitting starts from a draft or a round that asked for changes.
        "can_submit": document.can_manage(request.user)
        and document.status in (Document.Status.DRAFT, Document.Status.CHANGES_REQUESTED),
        "title": revision.title,
    }
    template = "prfaq/document_detail.html" + ("#discussion-update" if partial else "")
    return render(request, template, context, status=status)


def document_body(
    document: Document, revision: Revision, *, highlights=(), link=None, link_kind: str = ""
) -> dict:
    """The document as it reads, with the quoted passages of ``highlights`` marked (each
    linking to ``link(pk)``), rendered once per text.

    A revision's text changes only with its ``updated_at``, and the marks with the quoted
    threads and where their links go (``link_kind``), so the HTML is cached under those.
    """
    marks = hashlib.sha1(
        repr([(t.pk, t.section, t.quote) for t in highlights]).encode(), usedforsecurity=False
    ).hexdigest()
    stamp = revision.updated_at.timestamp()
    key = f"document-body:{revision.pk}:{stamp}:{link_kind}:{marks}"
    body = cache.get(key)
    if body is None:
        page = page_view(document.outline, revision.as_content(), revision.rendered)
        if highlights:
            page = highlight_quotes(page, highlights, link=link)
        body = {
            "html": render_to_string(
                "prfaq/_document_body.html", {"page": page, "title": revision.title}
            ),
            "press_release_words": page.press_release_words,
            "faq_words": page.faq_words,
        }
        cache.set(key, body, timeout=BODY_CACHE_SECONDS)
    return body


def read_view_body(document: Document, revision: Revision, discussion) -> dict:
    """The read view's text: marks open to the thread beside them, or to its permalink when
    the threads load lazily."""
    if discussion is None:
        return document_body(document, revision)
    return document_body(
        document,
        revision,
        highlights=discussion.highlights,
        link=thread_link(document, lazy=discussion.lazy),
        link_kind=f"read:{discussion.lazy}",
    )


def new_thread_fields(document: Document) -> str:
    """The empty new-comment form's fields, rendered by crispy once per template and revision
    number: crispy takes milliseconds a form, and an empty form never differs."""
    revision = document.current_revision.number
    key = f"new-thread-fields:{document.template}:{revision}"
    fields = cache.get(key)
    if fields is None:
        form = NewThreadForm(outline=document.outline, initial={"revision": revision})
        fields = render_to_string(
            "prfaq/document_detail.html#new-thread-fields", {"thread_form": form}
        )
        cache.set(key, fields, timeout=None)
    return fields


def _revision_or_404(document: Document, number) -> Revision:
    try:
        return document.revisions.get(number=int(number))
    except (Revision.DoesNotExist, TypeError, ValueError):
        raise Http404(f"This document has no revision {number}.") from None


def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _keep_unsaved_and_sign_in(request, pk)
    if request.method != "POST" and not _has_unsaved(request, pk):
        return document_page(request, pk, lambda d: _editor(request, d), action="edit")
    document = get_document_for(request.user, pk, action="edit")
    outline = document.outline
    if request.method != "POST":
        restored = _restore_unsaved(request, document)
        return _render_editor(request, document, restored, restored=True)
    form = DocumentForm(request.POST, outline=outline)
    if not form.is_valid():
        return _render_editor(request, document, form, status=400)
    content = form.content(faq_action=request.POST.get("faq_action", ""))
    try:
        result = _save(
            request,
            document,
            title=form.cleaned_data["title"],
            content=content,
            base_version=form.cleaned_data["base_version"],
            checkpoint=True,
        )
    except EditConflict as conflict:
        return _render_conflict(request, conflict.document, form)
    _forget_unsaved(request, document.pk)
    if request.POST.get("faq_action") == "add":
        form = DocumentForm.for_revision(
            outline=outline, revision=result.revision, version=result.version, extra_faq=1
        )
        return _render_editor(request, document, form)
    messages.success(request, "Saved." if result.changed else "No changes to save.")
    return redirect("prfaq:edit", document.pk)


def _save(
    request,
    document: Document,
    *,
    title: str,
    content: Content,
    base_version: int,
    checkpoint: bool = False,
    partial: bool = False,
):
    """Save the editor's text in one transaction with its audit entry; raise EditConflict.

    A save that is sure to be refused is refused first, and the gates run, without the
    transaction (on SQLite, the whole database's write lock) that other saves wait for.
    """
    save = {"document": document, "title": title, "content": content, "base_version": base_version}
    refuse_if_stale(**save, partial=partial)
    findings = check_draft(document=document, title=title, content=content)
    with transaction.atomic():
        result = save_draft(
            **save, by=request.user, checkpoint=checkpoint, partial=partial, findings=findings
        )
        if result.changed:
            record(
                request,
                Action.DOCUMENT_SAVED,
                document=document,
                target=f"revision {result.revision.number}",
                detail=f"version {result.version}",
            )
        elif result.indexed:
            changed()  # search pages: the text they could not find is found now
    return result


def _editor(request: HttpRequest, document: Document) -> HttpResponse:
    form = DocumentForm.for_revision(
        outline=document.outline, revision=document.current_revision, version=document.version
    )
    return _render_editor(request, document, form)


def _has_unsaved(request: HttpRequest, pk: int) -> bool:
    stash = request.session.get(UNSAVED_KEY)
    return bool(stash) and stash.get("pk") == pk


def _render_editor(
    request: HttpRequest,
    document: Document,
    form: DocumentForm,
    *,
    status: int = 200,
    conflict: dict | None = None,
    restored: bool = False,
) -> HttpResponse:
    theirs = conflict["sections"] if conflict else {}
    if form.is_bound:
        content = form.content() if form.is_valid() else None
        findings = _live_findings(document, form, content)
    else:
        revision = document.current_revision
        content = revision.as_content()
        findings = GateReport.for_revision(revision).finding_list()
    by_section = _findings_by_section(document, findings)
    sections = []
    for spec, field in form.section_fields():
        words = count_words(field.value() or "")
        sections.append(
            {
                "spec": spec,
                "field": field,
                "words": words,
                "over": words > spec.word_budget,
                "theirs": theirs.get(spec.key),
                "findings": by_section[spec.key],
            }
        )
    context = {
        "document": document,
        "form": form,
        "sections": sections,
        "faq_spec": document.outline.faq_section,
        "faq_findings": by_section.get("faq", []),
        "findings": findings,
        "finding_rows": [{"key": k, "findings": v} for k, v in by_section.items()],
        "finding_counts": _counts(findings),
        "faq_words": content.faq_words if content else 0,
        "page": _with_quotes(document, page_view(document.outline, content))
        if content and form.is_bound
        else None,
        "body": None if form.is_bound else _saved_body(document),
        "fields": None if form.is_bound else cache.get(_fields_key(document)),
        "errors": None if content else form.error_summary(),
        "state": _editor_state(conflict=conflict, restored=restored, invalid=content is None),
        "title": document.title,
        "conflict": conflict,
        "restored": restored,
        "autosave": conflict is None and not restored,
        "can_manage": document.can_manage(request.user),
    }
    if not form.is_bound and context["fields"] is None:
        # The fields of a saved revision, rendered by crispy once: it takes a few
        # milliseconds a field, and a 30-question FAQ has over a hundred of them.
        fields = render_to_string("prfaq/document_edit.html#editor-fields", context, request)
        cache.set(_fields_key(document), fields, timeout=BODY_CACHE_SECONDS)
        context["fields"] = fields
    return render(request, "prfaq/document_edit.html", context, status=status)


def _fields_key(document: Document) -> str:
    revision = document.current_revision
    stamp = revision.updated_at.timestamp()
    return f"editor-fields:{document.pk}:{revision.pk}:{stamp}:{document.version}"


def _saved_body(document: Document) -> dict:
    threads, link, kind = _quoted_threads(document)
    return document_body(
        document, document.current_revision, highlights=threads, link=link, link_kind=kind
    )


def _quoted_threads(document: Document) -> tuple[list, object, str]:
    """The editor's preview highlights the passages open threads are about, linking to the
    read view: the quoted threads, where a mark links, and a name for that."""
    threads = list(
        document.threads.open().live().exclude(quote="").values_list("pk", "quote", "section",
                                                                      named=True)
    )  # fmt: skip
    if not threads:
        return [], None, ""
    lazy = document.threads.live().count() > INLINE_THREADS
    return threads, thread_link(document, lazy=lazy, elsewhere=True), f"editor:{lazy}"


def _with_quotes(document: Document, page):
    threads, link, _ = _quoted_threads(document)
    return highlight_quotes(page, threads, link=link) if threads else page


def _live_findings(document: Document, form: DocumentForm, content: Content | None) -> list:
    if content is None:
        return []
    return check_draft(document=document, title=form.cleaned_data.get("title", ""), content=content)


def _findings_by_section(document: Document, findings: list[Finding]) -> dict[str, list]:
    grouped: dict[str, list] = {spec.key: [] for spec in document.outline.sections}
    for finding in findings:
        grouped.setdefault(finding.section, []).append(finding)
    return grouped


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {
        severity: sum(1 for f in findings if f.severity == severity)
        for severity in ("blocker", "warning", "info")
    }


def _editor_state(*, conflict: dict | None, restored: bool, invalid: bool) -> str:
    """What the save-status line says when the whole editor page is rendered."""
    if conflict is not None:
        return "merging"
    if invalid:
        return "invalid"
    return "restored" if restored else "idle"


def _render_conflict(request: HttpRequest, document: Document, form: DocumentForm) -> HttpResponse:
    """The editor with the user's text kept, the newer text beside it, and the new base version."""
    # The conflict names the document as locked (its version); the editor needs all of it.
    document = Document.objects.select_related("owner", "current_revision").get(pk=document.pk)
    newer = document.current_revision
    newer_content = newer.as_content()
    mine = form.content()
    data = request.POST.copy()
    data["base_version"] = str(document.version)
    rebased = DocumentForm(data, outline=document.outline)
    rebased.is_valid()
    conflict = {
        "revision": newer,
        "title": newer.title if newer.title != form.cleaned_data["title"] else None,
        "sections": {
            spec.key: newer_content.section(spec.key)
            for spec in document.outline.text_sections
            if newer_content.section(spec.key) != mine.section(spec.key)
        },
        "faq": page_view(document.outline, newer_content, newer.rendered)
        if newer_content.faq != mine.faq
        else None,
    }
    return _render_editor(request, document, rebased, status=409, conflict=conflict)


@require_POST
def document_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save in the background and answer with the save-status line."""
    if not request.user.is_authenticated:
        _stash_unsaved(request, pk)
        return _save_status("signed-out", 401, pk=pk)
    document = get_document_for(request.user, pk, action="edit", with_text=False)
    form = DocumentForm(request.POST, outline=document.outline, shown=False, partial=True)
    if not form.is_valid():
        return _save_status("invalid", 400, errors=form.error_summary())
    saved = document.current_revision  # its title and text, read with the row
    try:
        result = _save(
            request,
            document,
            title=form.title_or(saved.title),
            content=form.content(saved=saved.as_content()),
            base_version=form.cleaned_data["base_version"],
            partial=form.is_partial,
        )
    except EditConflict as conflict:
        newer = conflict.revision or (
            Revision.objects.select_related("author")
            .only("updated_at", "author__username", "author__first_name", "author__last_name")
            .get(pk=conflict.document.current_revision_id)
        )  # who saved and when; not the text
        return _save_status("conflict", 409, newer=newer)
    _forget_unsaved(request, document.pk)
    return _save_status("saved", 200, result=result)


def _save_status(state: str, status: int, **context) -> HttpResponse:
    """The save-status line alone. It prints only what it is given: rendered without the
    context processors every page runs (the user, the inbox, the chrome), as an autosave
    every few seconds answers with it."""
    template = get_template("prfaq/document_edit.html#save-status")
    return HttpResponse(template.render({"state": state, **context}), status=status)


@login_required
@require_POST
def document_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the press release and FAQ as they read, from the editor's unsaved fields."""
    document = get_document_for(request.user, pk, action="edit")
    form = DocumentForm(request.POST, outline=document.outline, shown=False)
    if not form.is_valid():
        context = {"errors": form.error_summary()}
        return render(request, "prfaq/document_edit.html#preview", context)
    content = form.content()
    findings = _live_findings(document, form, content)
    by_section = _findings_by_section(document, findings)
    context = {
        "page": _with_quotes(document, page_view(document.outline, content)),
        "title": form.cleaned_data["title"],
        "findings": findings,
        "finding_counts": _counts(findings),
        "finding_rows": [{"key": k, "findings": v} for k, v in by_section.items()],
        "oob": True,
    }
    preview = render_to_string("prfaq/document_edit.html#preview", context, request)
    gates = render_to_string("prfaq/document_edit.html#live-findings", context, request)
    return HttpResponse(preview + gates)


STASH_MAX_CHARS = 600_000
STASHED_FIELDS = re.compile(r"^(?:title|base_version|section_\w+|faq-[\w-]+)$")


def _stash_unsaved(request: HttpRequest, pk: int) -> None:
    """Keep a signed-out user's text in their session, to give back after sign-in.

    Only the editor's own fields, and only up to a size a real document has:
    anyone can post here, signed in or not.
    """
    fields = {k: v for k, v in request.POST.lists() if STASHED_FIELDS.match(k)}
    if sum(len(v) for values in fields.values() for v in values) <= STASH_MAX_CHARS:
        request.session[UNSAVED_KEY] = {"pk": pk, "fields": fields}


def _forget_unsaved(request: HttpRequest, pk: int) -> None:
    """A save landed: a stash for this document is now older than the saved text."""
    stash = request.session.get(UNSAVED_KEY)
    if stash and stash.get("pk") == pk:
        del request.session[UNSAVED_KEY]


def _keep_unsaved_and_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    next_url = reverse("prfaq:edit", args=[pk])
    if request.method == "POST":
        _stash_unsaved(request, pk)
        messages.warning(
            request,
            "You were signed out before your changes were saved. Sign in again: your text is "
            "kept and will be back in the editor.",
        )
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


def _restore_unsaved(request: HttpRequest, document: Document) -> DocumentForm:
    """The editor's form with the stashed fields, and the saved text's for the fields a
    partial autosave left out (they were unchanged)."""
    stashed = request.session.pop(UNSAVED_KEY)["fields"]
    revision = document.current_revision
    data = completed_data(
        stashed, title=revision.title, content=revision.as_content(), outline=document.outline
    )
    form = DocumentForm(data, outline=document.outline)
    form.is_valid()
    return form


@login_required
def document_history(request: HttpRequest, pk: int) -> HttpResponse:
    return document_page(request, pk, lambda document: _history(request, document))


def _history(request: HttpRequest, document: Document) -> HttpResponse:
    revisions = document.revisions.select_related("author").defer("content", "rendered")
    page = Paginator(revisions, REVISIONS_PER_PAGE).get_page(request.GET.get("page"))
    titles = {spec.key: spec.title for spec in document.outline.sections} | {"title": "Title"}
    rows = [
        {"revision": r, "changed": [titles.get(key, key) for key in r.changed_sections]}
        for r in page
    ]
    context = {"document": document, "page": page, "rows": rows}
    return render(request, "prfaq/document_history.html", context)


@login_required
def document_compare(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    older = _revision_or_404(document, request.GET.get("from"))
    newer = _revision_or_404(document, request.GET.get("to"))
    if older.number > newer.number:
        older, newer = newer, older
    sections = compare_contents(document.outline, older.as_content(), newer.as_content())
    context = {
        "document": document,
        "older": older,
        "newer": newer,
        "title_diff": word_diff(older.title, newer.title) if older.title != newer.title else None,
        "sections": sections,
        "changed_count": sum(1 for s in sections if s["changed"]),
    }
    return render(request, "prfaq/document_compare.html", context)


@login_required
def document_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk, action="manage")
    initial = {
        "restricted": document.restricted,
        "collaborators": " ".join(u.username for u in document.collaborators.order_by("username")),
    }
    data = request.POST if request.method == "POST" else None
    form = SharingForm(data, initial=initial, owner=document.owner)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            document.set_sharing(
                restricted=form.cleaned_data["restricted"],
                collaborators=form.cleaned_data["collaborators"],
            )
            names = ", ".join(u.username for u in form.cleaned_data["collaborators"]) or "none"
            state = "restricted" if form.cleaned_data["restricted"] else "open to the team"
            record(
                request,
                Action.SHARING_CHANGED,
                document=document,
                detail=f"{state}; collaborators: {names}",
            )
        messages.success(request, "Sharing saved.")
        return redirect("prfaq:sharing", document.pk)
    return render(request, "prfaq/document_sharing.html", {"document": document, "form": form})


@login_required
def document_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a revision (the current one unless ?revision=N) as canonical Markdown."""
    document = get_document_for(request.user, pk)
    number = request.GET.get("revision")
    revision = _revision_or_404(document, number) if number else document.current_revision
    text = export_markdown(
        title=revision.title, template=document.outline, content=revision.as_content()
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = f"{slugify(revision.title) or 'prfaq'}-r{revision.number}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def document_import(request: HttpRequest) -> HttpResponse:
    """Import in two steps: read the file and show what was recognised, then create."""
    if request.method == "POST" and "raw" in request.POST:
        return _confirm_import(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        imported = form.cleaned_data["imported"]
        confirm = ImportConfirmForm(
            initial={"raw": form.cleaned_data["raw"], "title": imported.title, "token": uuid4()},
            imported=imported,
        )
        return _render_import_review(request, confirm)
    return render(request, "prfaq/document_import.html", {"form": form})


def _confirm_import(request: HttpRequest) -> HttpResponse:
    try:
        imported = read_within_limits(request.POST["raw"])
    except ImportError_ as exc:
        messages.error(request, str(exc))
        return redirect("prfaq:import")
    confirm = ImportConfirmForm(request.POST, imported=imported)
    if not confirm.is_valid():
        return _render_import_review(request, confirm, status=400)
    with transaction.atomic():
        document = _start_imported(request, confirm, imported)
    messages.success(request, "Imported. Check the review gates beside each section.")
    return redirect("prfaq:edit", document.pk)


def _start_imported(request: HttpRequest, confirm: ImportConfirmForm, imported) -> Document:
    document = start_document(
        owner=request.user,
        title=confirm.cleaned_data["title"],
        template=imported.template,
        token=confirm.cleaned_data["token"],
    )
    if document.is_new:
        save_draft(
            document=document,
            by=request.user,
            title=document.title,
            content=confirm.content(),
            base_version=document.version,
            checkpoint=True,
        )
        record(request, Action.DOCUMENT_IMPORTED, document=document)
    return document


def _render_import_review(
    request: HttpRequest, confirm: ImportConfirmForm, *, status: int = 200
) -> HttpResponse:
    imported = confirm.imported
    titles = {s.key: s.title for s in imported.template.sections}
    context = {
        "confirm": confirm,
        "imported": imported,
        "found": [titles.get(key, key) for key in imported.sections_found],
        "missing": [
            s.title
            for s in imported.template.sections
            if s.required and s.key not in imported.sections_found
        ],
        "page": page_view(imported.template, imported.content),
        "title": imported.title,
    }
    return render(request, "prfaq/document_import.html", context, status=status)


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's baseline: answers without the database."""
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or forged form: say so plainly, and tell people their text is still in the page."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change, written to the audit log in the same transaction."""

    def form_valid(self, form) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            record(self.request, Action.PASSWORD_CHANGED)
        return response
