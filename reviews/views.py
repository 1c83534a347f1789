"""Comment threads, notifications and the inbox.

Every action answers htmx with the document's discussion re-rendered, and a
plain form post with a redirect back to the thread: both work.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from audit.log import Action, record
from prfaq.authorizers import get_document_for
from prfaq.compiled import ids, rows
from prfaq.models import Document
from prfaq.pagecache import document_page
from prfaq.views import document_body, read_view_body, render_document_page
from reviews.authorizers import get_comment_for, get_thread_for, thread_of
from reviews.discussion import (
    CATCH_UP_COMMENTS,
    THREADS_PER_PAGE,
    CurrentText,
    ThreadView,
    discussion_for,
    hides_others,
    load_comments,
    thread_location,
    thread_view,
    thread_views,
    with_comment_counts,
)
from reviews.forms import CommentForm, ConcernForm, NewThreadForm, SubmitForm, VerdictForm
from reviews.gates import Severity
from reviews.models import (
    BlindReading,
    Comment,
    Concern,
    GateReport,
    Notification,
    ReviewRound,
    Subscription,
    Thread,
    Verdict,
)
from reviews.rounds import round_page
from reviews.workflow import (
    SubmissionRefused,
    add_thread_to_faq,
    give_verdict,
    raise_concern,
    resolve_concern,
    submit_for_review,
    withdraw_review,
)

NOTIFICATIONS_PER_PAGE = 25


def _done(request: HttpRequest, document: Document, thread: Thread | None, note: str = ""):
    """After a change to the whole discussion: htmx gets it re-rendered, a form post goes back."""
    if request.htmx:
        return render_document_page(request, document, partial=True)
    if note:
        messages.success(request, note)
    if thread is None:
        return redirect(document.get_absolute_url() + "#discussion")
    return redirect(thread_location(thread))


def _thread_done(request: HttpRequest, thread: Thread, note: str, *, page_changed: bool = False):
    """After a change to one thread: htmx gets that thread (with the counts and the highlighted
    text when they changed), a form post goes back to where the thread is shown."""
    if request.htmx:
        return render_thread(request, thread, page_changed=page_changed)
    messages.success(request, note)
    return redirect(thread_location(thread))


@vary_on_headers("HX-Request")
def render_thread(
    request: HttpRequest,
    thread: Thread,
    *,
    reply_form: CommentForm | None = None,
    editing: int | None = None,
    edit_form: CommentForm | None = None,
    error: str = "",
    page_changed: bool = False,
    everything: bool = False,
    status: int = 200,
) -> HttpResponse:
    """One thread: the fragment htmx swaps in, or a page of its own without JavaScript."""
    document = thread.document
    can_edit = document.is_editor(request.user)
    current = CurrentText(document.current_revision)
    load_comments(thread, everything=everything)
    view = thread_view(thread, request.user, current, can_edit=can_edit)
    if view is not None:
        view.reply_form, view.error = reply_form, error
    context = {
        "document": document,
        "doc_url": document.get_absolute_url(),
        "tv": view,
        "editing": editing,
        "edit_form": edit_form,
        "error": error if view is None else "",  # no thread left to show it in
    }
    if not request.htmx:
        spec = document.outline.section(thread.section)
        context |= {"threads": [view] if view else [], "section_title": spec.title if spec
                    else thread.section, "section_key": thread.section, "page": None}  # fmt: skip
        return render(request, "reviews/section_threads.html", context, status=status)
    if page_changed:
        discussion = discussion_for(document, request.user, can_edit=can_edit)
        revision = document.current_revision
        context |= {
            "discussion": discussion,
            "revision": revision,
            "body": read_view_body(document, revision, discussion),
        }
    return render(request, "prfaq/document_detail.html#thread-update", context, status=status)


@login_required
@vary_on_headers("HX-Request")
def section_threads(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """A page of one section's threads: loaded lazily into the read view of a long
    discussion, and a page of its own without JavaScript."""
    return document_page(request, pk, lambda document: _section_threads(request, document, section))


def _section_threads(request: HttpRequest, document, section: str) -> HttpResponse:
    spec = document.outline.section(section)
    if spec is None:
        raise Http404("That section is not part of this document.")
    threads = document.threads.live().filter(section=section)
    if hides_others(document, request.user):
        threads = threads.none()
    paginator = Paginator(with_comment_counts(threads), THREADS_PER_PAGE)
    paginator.count = threads.count()  # counted without the comment counts
    page = paginator.get_page(request.GET.get("page"))
    views = thread_views(
        page.object_list, document, request.user, can_edit=document.is_editor(request.user)
    )
    context = {
        "document": document,
        "doc_url": document.get_absolute_url(),
        "threads": views,
        "page": page,
        "section_key": section,
        "section_title": spec.title,
    }
    template = "reviews/section_threads.html" + ("#threads" if request.htmx else "")
    return render(request, template, context)


@login_required
def thread_detail(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    """A thread's permalink: htmx gets the thread (all of it with ``?all=1``); a browser
    is sent to where the thread is shown, or shown the whole thread with ``?all=1``."""
    everything = request.GET.get("all") == "1"
    if not request.htmx and not everything:
        return redirect(thread_location(get_thread_for(request.user, pk, thread_pk)))
    return document_page(
        request,
        pk,
        lambda document: render_thread(
            request, thread_of(document, thread_pk), everything=everything
        ),
    )


# Thread actions change inside one transaction and answer after it has committed: no lock
# (on SQLite, the whole database's) is held while the answer renders.


@login_required
@require_POST
def thread_new(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    # Validated (the comment rendered) before the transaction: see CommentText.
    form = NewThreadForm(request.POST, outline=document.outline)
    thread = None
    if form.is_valid():
        with transaction.atomic():
            thread = _start_thread(request, document, form)
    if thread is not None:
        return _done(request, document, thread, "Comment posted.")
    return render_document_page(
        request, document, partial=bool(request.htmx), status=400, thread_form=form
    )


def _start_thread(request: HttpRequest, document: Document, form: NewThreadForm) -> Thread | None:
    number = form.cleaned_data["revision"]
    revision = document.revisions.filter(number=number).first() if number else (
        document.current_revision)  # fmt: skip
    try:
        if revision is None:
            raise ValidationError("That revision of the document does not exist.")
        thread = Thread.start(
            document=document,
            revision=revision,
            section=form.cleaned_data["section"],
            quote=form.cleaned_data["quote"],
            by=request.user,
            body=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    record(request, Action.THREAD_STARTED, document=document, target=f"thread {thread.pk}")
    return thread


@login_required
@require_POST
def thread_reply(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    # Who may reply is read before the transaction (on SQLite, the whole database's write
    # lock); whether the thread still takes replies is asked again inside it.
    thread = get_thread_for(request.user, pk, thread_pk, with_text=False)
    form = CommentForm(request.POST, auto_id=f"id_reply_{thread.pk}_%s")
    comment = None
    if form.is_valid():
        with transaction.atomic():
            try:
                comment = thread.reply(by=request.user, body=form.cleaned_data["body"])
            except ValidationError as exc:
                form.add_error("body", exc)
            else:
                record(
                    request,
                    Action.REPLIED,
                    document=thread.document,
                    target=f"thread {thread.pk}, comment {comment.pk}",
                )
    if comment is not None:
        if not request.htmx:
            return _thread_done(request, thread, "Reply posted.")
        if answer := _reply_posted(request, thread, comment):
            return answer
        response = render_thread(request, thread)
    elif thread.accepts_replies():
        response = render_thread(request, thread, reply_form=form, status=400)
    else:
        # The thread shows no reply form to put the error in: say it above the thread.
        error = " ".join(form.errors.get("body", []))
        response = render_thread(request, thread, error=error, status=400)
    if request.htmx:
        # The reply form aims at the end of the thread's comments; the whole thread (far
        # behind, or with the error in it) replaces the thread instead.
        reswap(retarget(response, f"#thread-{thread.pk}"), "outerHTML")
    return response


def _comments_after(thread_pk: int, after: int):
    # By id, which the (thread, id) index reads from ``after`` on: ordered by time, the
    # database walked every comment of the thread to find the few after it, and under
    # sixteen people replying a thread grows by thousands. Shown in time order (below).
    return (
        Comment.objects.select_related("author")
        .filter(thread_id=thread_pk, pk__gt=after)
        .order_by("pk")[: CATCH_UP_COMMENTS + 1]
    )


def _reply_posted(request: HttpRequest, thread: Thread, comment) -> HttpResponse | None:
    """The comments after the newest one the page showed (``after``), the reply among them,
    and an empty reply box: appended to the thread instead of sending it whole. None when
    the page is too far behind (or did not say), and the whole thread should go instead."""
    try:
        after = int(request.POST.get("after", ""))
    except ValueError:
        return None
    # Mostly the page was up to date and the reply is the one comment after it: its ids
    # say so, and the reply made here is shown, not read back (with its author: the user).
    newer = ids("thread_reply.comment_ids_after", _comments_after, thread.pk, after)
    if len(newer) > CATCH_UP_COMMENTS or comment.pk not in newer:
        return None
    if newer == [comment.pk]:
        comments = [comment]
    else:
        comments = rows("thread_reply.comments_after", _comments_after, thread.pk, after)
        if len(comments) > CATCH_UP_COMMENTS:  # more came in meanwhile
            return None
        comments.sort(key=lambda c: (c.created_at, c.pk))  # as the thread shows them
    view = ThreadView(
        thread=thread,
        comments=comments,
        section_title="",
        outdated=False,
        can_resolve=False,
        can_add_to_faq=False,
        mine=thread.started_by_id == request.user.pk,
    )
    context = {
        "tv": view,
        "comments": comments,
        "doc_url": thread.document.get_absolute_url(),
        "user": request.user,
        "csrf_token": get_token(request),
    }
    # All the fragment prints: rendered without the context processors every page runs.
    return HttpResponse(get_template("reviews/_thread.html#reply-posted").render(context))


@login_required
@require_POST
def thread_resolve(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    with transaction.atomic():
        thread = get_thread_for(request.user, pk, thread_pk)
        thread.resolve(by=request.user)
        record(
            request, Action.THREAD_RESOLVED, document=thread.document, target=f"thread {thread.pk}"
        )
    return _thread_done(request, thread, "Thread resolved.", page_changed=True)


@login_required
@require_POST
def thread_reopen(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    with transaction.atomic():
        thread = get_thread_for(request.user, pk, thread_pk)
        thread.reopen(by=request.user)
        record(
            request, Action.THREAD_REOPENED, document=thread.document, target=f"thread {thread.pk}"
        )
    return _thread_done(request, thread, "Thread reopened.", page_changed=True)


@login_required
@require_POST
@transaction.atomic
def thread_to_faq(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    thread = get_thread_for(request.user, pk, thread_pk)
    try:
        number = add_thread_to_faq(thread=thread, by=request.user)
    except ValidationError as exc:
        if request.htmx:
            return render_thread(request, thread, error=" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(thread_location(thread))
    thread.document = get_document_for(request.user, pk)
    record(
        request,
        Action.THREAD_TO_FAQ,
        document=thread.document,
        target=f"thread {thread.pk}",
        detail=f"FAQ question {number}",
    )
    note = f"Added to the FAQ as question {number}."
    return _thread_done(request, thread, note, page_changed=True)


@login_required
def comment_edit(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = get_comment_for(request.user, pk, comment_pk)
    comment._check_author(request.user)  # before the form renders anyone's Markdown
    if request.method != "POST":
        return render_thread(request, comment.thread, editing=comment.pk, everything=True)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                comment.edit(by=request.user, body=form.cleaned_data["body"])
                record(
                    request,
                    Action.COMMENT_EDITED,
                    document=comment.thread.document,
                    target=f"comment {comment.pk}",
                    detail=f"version {comment.version}",
                )
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            return _thread_done(request, comment.thread, "Comment updated.")
    return render_thread(
        request, comment.thread, editing=comment.pk, edit_form=form, everything=True, status=400
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    with transaction.atomic():
        comment = get_comment_for(request.user, pk, comment_pk)
        if not comment.is_deleted:
            comment.delete_by(by=request.user)
            record(
                request,
                Action.COMMENT_DELETED,
                document=comment.thread.document,
                target=f"comment {comment.pk}",
            )
    note = "Your comment was deleted."
    return _thread_done(request, comment.thread, note, page_changed=True)


@login_required
@require_POST
@transaction.atomic
def subscription(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    state = request.POST.get("state", "")
    if state not in Subscription.State.values:
        state = ""  # anything else, as the form's default choice (never stored or logged)
    if state:
        Subscription.objects.update_or_create(
            user=request.user, document=document, defaults={"state": state}
        )
    else:
        Subscription.objects.filter(user=request.user, document=document).delete()
    record(request, Action.SUBSCRIPTION_CHANGED, document=document, detail=state or "default")
    labels = {
        "follow": "You follow this discussion.",
        "mute": "Muted: you hear only when someone mentions you.",
    }
    return _done(request, document, None, labels.get(state, "Back to the default notifications."))


@login_required
@require_POST
@transaction.atomic
def blind_reading(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    hide = request.POST.get("hide") == "1"
    if hide:
        BlindReading.objects.get_or_create(user=request.user, document=document)
    else:
        BlindReading.objects.filter(user=request.user, document=document).delete()
    record(request, Action.BLIND_READING_CHANGED, document=document, detail="on" if hide else "off")
    return _done(request, document, None)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.visible_to(request.user)
        .select_related("actor", "document", "thread", "event")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviews/inbox.html", {"page": page})


@login_required
@require_POST
@transaction.atomic
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    record(request, Action.NOTIFICATIONS_READ, detail=f"{marked} marked read")
    messages.success(request, "All notifications marked as read.")
    return redirect("reviews:inbox")


@login_required
def notification_open(request: HttpRequest, notification_pk: int) -> HttpResponse:
    """Mark a notification read and go to its thread, if the document may still be read."""
    notification = get_object_or_404(Notification, pk=notification_pk, recipient=request.user)
    document = get_document_for(request.user, notification.document_id)
    if notification.read_at is None:
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
            record(
                request,
                Action.NOTIFICATION_READ,
                document=document,
                target=f"notification {notification.pk}",
            )
    if notification.thread_id:
        return redirect(notification.thread.get_absolute_url())
    round_ = document.rounds.order_by("-number").first()
    if notification.event_id and notification.event.round_id:
        round_ = notification.event.round
    return redirect(round_.get_absolute_url() if round_ else document.get_absolute_url())


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """htmx: the first people whose username starts with what follows an @."""
    prefix = request.GET.get("q", "").lstrip("@").replace("\x00", "")[:150]
    users = get_user_model().objects.filter(is_active=True)
    if prefix:
        users = users.filter(username__istartswith=prefix)
    context = {"people": users.order_by("username")[:8], "prefix": prefix}
    return render(request, "reviews/people.html", context)


# -- Leadership review ------------------------------------------------------------------


@login_required
def submit_review(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk, action="manage")
    revision = document.current_revision
    findings = GateReport.for_revision(revision).finding_list()
    warnings = [f for f in findings if f.severity == Severity.WARNING]
    blockers = [f for f in findings if f.severity == Severity.BLOCKER]
    initial = {
        "due_date": timezone.localdate() + timedelta(days=7),
        "revision": revision.number,
        "version": document.version,
    }
    data = request.POST if request.method == "POST" else None
    form = SubmitForm(data, initial=initial, document=document, warnings=warnings)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                round_ = _submit(request, document, form)
        except SubmissionRefused as refused:
            blockers = refused.findings
            form.add_error(None, refused)
        except ValidationError as exc:
            # Keep what they chose, against the text this page shows, so that submitting
            # again sends the revision and version they now see.
            data = request.POST.copy()
            data["revision"], data["version"] = revision.number, document.version
            form = SubmitForm(data, initial=initial, document=document, warnings=warnings)
            form.is_valid()
            form.add_error(None, exc)
        else:
            messages.success(request, "Submitted. The reviewers and approvers have been asked.")
            return redirect(round_.get_absolute_url())
    context = {
        "document": document,
        "revision": revision,
        "form": form,
        "blockers": blockers,
        "already_in_review": document.status == Document.Status.IN_REVIEW,
        "no_leaders": not form.fields["approvers"].queryset.exists(),
    }
    status = 400 if form.errors else 200
    return render(request, "reviews/submit.html", context, status=status)


def _submit(request: HttpRequest, document: Document, form: SubmitForm) -> ReviewRound:
    round_ = submit_for_review(
        document=document,
        by=request.user,
        approvers=list(form.cleaned_data["approvers"]),
        reviewers=list(form.cleaned_data["reviewers"]),
        due_date=form.cleaned_data["due_date"],
        feedback_wanted=form.cleaned_data["feedback_wanted"],
        acknowledgements=form.acknowledgements(),
        seen_revision=form.cleaned_data["revision"],
        seen_version=form.cleaned_data["version"],
    )
    record(
        request,
        Action.SUBMITTED,
        document=document,
        target=f"round {round_.number}",
        detail=f"revision {round_.revision.number}",
    )
    return round_


def _round_or_404(document: Document, number: int) -> ReviewRound:
    round_ = (
        document.rounds.filter(number=number)
        .select_related("submitted_by", "revision__gate_report")
        .defer("revision__content", "revision__rendered")
        .first()
    )
    if round_ is None:
        raise Http404("This document has no such review round.")
    round_.document = document
    return round_


@login_required
def review_current(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    round_ = document.rounds.order_by("-number").first()
    if round_ is None:
        raise Http404("This document has not been submitted for review.")
    return redirect(round_.get_absolute_url())


@login_required
def round_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return document_page(
        request,
        pk,
        lambda document: render_round(request, document, _round_or_404(document, number)),
    )


def render_round(request, document, round_, *, verdict_form=None, concern_form=None, status=200):
    context = round_page(document, round_, request.user)
    mine = context["my_verdict"]
    if verdict_form is None:
        initial = {}
        if mine is not None:
            initial = {f.name: getattr(mine, f.name) for f in Verdict._meta.fields}
        initial["revision"] = document.current_revision.number
        initial["version"] = document.version
        verdict_form = VerdictForm(initial=initial)
    context |= {
        "verdict_form": verdict_form,
        "concern_form": concern_form or ConcernForm(),
        "reading": request.GET.get("reading") == "1",
        "body": document_body(document, document.current_revision),
        "title": document.current_revision.title,
    }
    return render(request, "reviews/round_detail.html", context, status=status)


def _refuse(request, document, round_, exc, **forms) -> HttpResponse:
    message = " ".join(getattr(exc, "messages", [str(exc)]))
    messages.error(request, message)
    return render_round(request, document, round_, status=400, **forms)


@login_required
@require_POST
@transaction.atomic
def verdict(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    round_ = _round_or_404(document, number)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return render_round(request, document, round_, verdict_form=form, status=400)
    try:
        given = give_verdict(
            round=round_,
            by=request.user,
            answers=form.answers(),
            notes=form.notes(),
            decision=form.cleaned_data["decision"],
            rationale=form.cleaned_data["rationale"],
            seen_revision=form.cleaned_data["revision"],
            seen_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        data = request.POST.copy()  # keep what they wrote, against the text as it is now
        latest = Document.objects.select_related("current_revision").get(pk=document.pk)
        data["revision"], data["version"] = latest.current_revision.number, latest.version
        return _refuse(request, document, round_, exc, verdict_form=VerdictForm(data))
    round_.refresh_from_db(fields=["state"])
    record(
        request,
        Action.VERDICT_GIVEN,
        document=document,
        target=f"round {round_.number}",
        detail=f"{form.cleaned_data['decision']} on revision {given.revision.number}; "
        f"round {round_.state}",
    )
    messages.success(request, "Verdict recorded.")
    return redirect(round_.get_absolute_url())


@login_required
@require_POST
@transaction.atomic
def concern_new(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    round_ = _round_or_404(document, number)
    form = ConcernForm(request.POST)
    if not form.is_valid():
        return render_round(request, document, round_, concern_form=form, status=400)
    try:
        concern = raise_concern(round=round_, by=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:
        return _refuse(request, document, round_, exc, concern_form=form)
    record(
        request,
        Action.CONCERN_RAISED,
        document=document,
        target=f"round {round_.number}, concern {concern.pk}",
    )
    messages.success(request, "Blocking concern raised.")
    return redirect(round_.get_absolute_url() + "#concerns")


@login_required
@require_POST
@transaction.atomic
def concern_resolve(request: HttpRequest, pk: int, number: int, concern_pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    round_ = _round_or_404(document, number)
    concern = get_object_or_404(Concern, pk=concern_pk, round=round_)
    concern.round = round_
    try:
        resolve_concern(concern=concern, by=request.user)
    except ValidationError as exc:
        return _refuse(request, document, round_, exc)
    record(
        request,
        Action.CONCERN_RESOLVED,
        document=document,
        target=f"round {round_.number}, concern {concern.pk}",
    )
    messages.success(request, "Concern resolved.")
    return redirect(round_.get_absolute_url() + "#concerns")


@login_required
@require_POST
@transaction.atomic
def withdraw(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = get_document_for(request.user, pk, action="manage")
    round_ = _round_or_404(document, number)
    try:
        withdraw_review(round=round_, by=request.user)
    except ValidationError as exc:
        return _refuse(request, document, round_, exc)
    record(request, Action.WITHDRAWN, document=document, target=f"round {round_.number}")
    messages.success(request, "Withdrawn: the document is a draft again.")
    return redirect(document.get_absolute_url())


@login_required
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    return document_page(request, pk, lambda document: _timeline(request, document))


def _timeline(request: HttpRequest, document: Document) -> HttpResponse:
    events = document.events.select_related("actor", "revision").order_by("-created_at", "-pk")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/timeline.html", {"document": document, "page": page})
