"""The audit log: one entry per state change, sign-in and refusal, with who, what, when, where."""

from datetime import UTC
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from prfaq.models import Document, User
from reviews.models import Comment, Notification, Thread
from reviews.workflow import raise_concern
from tests.conftest import PASSWORD, full_content, make_document, make_user, start_thread
from tests.prfaq.test_editor import editor_data
from tests.reviews.test_review_rounds import YES, acknowledge_all, submit, verdict

Action = AuditEntry.Action
ADDRESS = "203.0.113.7"


@pytest.fixture
def world(author, collaborator, teammate, leader):
    document = make_document(owner=author, content=full_content(), collaborators=[collaborator])
    return {
        "author": author,
        "teammate": teammate,
        "leader": leader,
        "document": document,
    }


def as_(client, user):
    client.force_login(user)
    return client


def thread_on(document, user) -> Thread:
    return start_thread(document, user)


def in_review(world):
    return submit(world["document"], world["author"], [world["leader"]])


def vote(c, world, round_, decision="approve"):
    url = reverse("reviews:verdict", args=[world["document"].pk, round_.number])
    seen = {"revision": round_.revision.number}
    return c.post(url, YES | seen | {"decision": decision, "rationale": "Clear."})


def created(client, world):
    c = as_(client, world["author"])
    return c.post(reverse("prfaq:new"), {"title": "Harbour", "template": "prfaq"})


def imported(client, world):
    c = as_(client, world["author"])
    text = "Harbour\n\nSkippers lose a day's catch to misread tides.\n\nHarbour texts them."
    context = c.post(reverse("prfaq:import"), {"text": text}).context
    confirm = context["confirm"]
    data = {"raw": confirm.initial["raw"], "title": "Harbour", "token": confirm.initial["token"]}
    data |= {f"paragraph_{i}": key for i, (_, key) in enumerate(context["imported"].paragraphs)}
    return c.post(reverse("prfaq:import"), data)


def saved(client, world):
    c = as_(client, world["author"])
    document = world["document"]
    data = editor_data(document, section_problem="Skippers lose the tide and a day's catch.")
    return c.post(reverse("prfaq:edit", args=[document.pk]), data)


def sharing(client, world):
    c = as_(client, world["author"])
    url = reverse("prfaq:sharing", args=[world["document"].pk])
    return c.post(url, {"restricted": "on", "collaborators": "collaborator"})


def thread_started(client, world):
    c = as_(client, world["teammate"])
    url = reverse("reviews:thread_new", args=[world["document"].pk])
    return c.post(url, {"section": "problem", "body": "Which harbours first?"})


def replied(client, world):
    thread = thread_on(world["document"], world["author"])
    c = as_(client, world["teammate"])
    url = reverse("reviews:reply", args=[world["document"].pk, thread.pk])
    return c.post(url, {"body": "Good question."})


def comment_edited(client, world):
    thread = thread_on(world["document"], world["teammate"])
    comment = thread.comments.get()
    c = as_(client, world["teammate"])
    url = reverse("reviews:edit", args=[world["document"].pk, comment.pk])
    return c.post(url, {"body": "Which harbours come first?"})


def comment_deleted(client, world):
    thread = thread_on(world["document"], world["teammate"])
    c = as_(client, world["teammate"])
    url = reverse("reviews:delete", args=[world["document"].pk, thread.comments.get().pk])
    return c.post(url)


def thread_resolved(client, world):
    thread = thread_on(world["document"], world["teammate"])
    c = as_(client, world["author"])
    return c.post(reverse("reviews:resolve", args=[world["document"].pk, thread.pk]))


def thread_reopened(client, world):
    thread = thread_on(world["document"], world["teammate"])
    thread.resolve(by=world["author"])
    c = as_(client, world["author"])
    return c.post(reverse("reviews:reopen", args=[world["document"].pk, thread.pk]))


def thread_to_faq(client, world):
    thread = thread_on(world["document"], world["teammate"])
    c = as_(client, world["author"])
    return c.post(reverse("reviews:to_faq", args=[world["document"].pk, thread.pk]))


def subscription(client, world):
    c = as_(client, world["teammate"])
    url = reverse("reviews:subscription", args=[world["document"].pk])
    return c.post(url, {"state": "follow"})


def blind_reading(client, world):
    c = as_(client, world["teammate"])
    return c.post(reverse("reviews:blind_reading", args=[world["document"].pk]), {"hide": "1"})


def notification(world) -> Notification:
    thread = thread_on(world["document"], world["teammate"])
    return Notification.objects.create(
        recipient=world["author"],
        actor=world["teammate"],
        document=world["document"],
        thread=thread,
        comment=thread.comments.get(),
        kind=Notification.Kind.COMMENT,
    )


def notification_read(client, world):
    c = as_(client, world["author"])
    return c.get(reverse("reviews:notification", args=[notification(world).pk]))


def notifications_read(client, world):
    notification(world)
    return as_(client, world["author"]).post(reverse("reviews:inbox_read_all"))


def submitted(client, world):
    document = world["document"]
    c = as_(client, world["author"])
    data = {
        "approvers": [world["leader"].pk],
        "due_date": "2099-01-01",
        "revision": document.current_revision.number,
    }
    data |= {f"ack_{k}": v for k, v in acknowledge_all(document).items()}
    return c.post(reverse("reviews:submit", args=[document.pk]), data)


def verdict_given(client, world):
    return vote(as_(client, world["leader"]), world, in_review(world))


def concern_raised(client, world):
    round_ = in_review(world)
    c = as_(client, world["leader"])
    url = reverse("reviews:concern", args=[world["document"].pk, round_.number])
    return c.post(url, {"text": "The pricing is unproven."})


def concern_resolved(client, world):
    round_ = in_review(world)
    concern = raise_concern(round=round_, by=world["leader"], text="Pricing unproven.")
    c = as_(client, world["leader"])
    url = reverse("reviews:concern_resolve", args=[world["document"].pk, round_.number, concern.pk])
    return c.post(url)


def withdrawn(client, world):
    round_ = in_review(world)
    c = as_(client, world["author"])
    return c.post(reverse("reviews:withdraw", args=[world["document"].pk, round_.number]))


def signed_in(client, world):
    return client.post(reverse("login"), {"username": "teammate", "password": PASSWORD})


def sign_in_failed(client, world):
    return client.post(reverse("login"), {"username": "teammate", "password": "wrong guess"})


def signed_out(client, world):
    return as_(client, world["teammate"]).post(reverse("logout"))


def password_changed(client, world):
    c = as_(client, world["teammate"])
    new = "a much longer passphrase for the harbour"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    return c.post(reverse("password_change"), data)


def admin_changed(client, world):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    document = world["document"]
    c = as_(client, staff)
    data = {
        "title": document.title,
        "owner": world["author"].pk,
        "template": document.template,
        "status": document.status,
        "restricted": "on",
        "collaborators": "",
        "updated_at_0": "2026-11-27",
        "updated_at_1": "12:00:00",
        "current_revision": document.current_revision_id,
        "creation_token": "",
    }
    response = c.post(reverse("admin:prfaq_document_change", args=[document.pk]), data)
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["adminform"].form.errors
    )
    assert Document.objects.get(pk=document.pk).restricted
    return response


def refused(client, world):
    restricted = make_document(owner=world["author"], title="Secret", restricted=True)
    return as_(client, world["teammate"]).get(reverse("prfaq:document", args=[restricted.pk]))


# Every action the log knows, and a way to make it happen through the app.
SCENARIOS = {
    Action.DOCUMENT_CREATED: (created, "author"),
    Action.DOCUMENT_IMPORTED: (imported, "author"),
    Action.DOCUMENT_SAVED: (saved, "author"),
    Action.SHARING_CHANGED: (sharing, "author"),
    Action.THREAD_STARTED: (thread_started, "teammate"),
    Action.REPLIED: (replied, "teammate"),
    Action.COMMENT_EDITED: (comment_edited, "teammate"),
    Action.COMMENT_DELETED: (comment_deleted, "teammate"),
    Action.THREAD_RESOLVED: (thread_resolved, "author"),
    Action.THREAD_REOPENED: (thread_reopened, "author"),
    Action.THREAD_TO_FAQ: (thread_to_faq, "author"),
    Action.SUBSCRIPTION_CHANGED: (subscription, "teammate"),
    Action.BLIND_READING_CHANGED: (blind_reading, "teammate"),
    Action.NOTIFICATION_READ: (notification_read, "author"),
    Action.NOTIFICATIONS_READ: (notifications_read, "author"),
    Action.SUBMITTED: (submitted, "author"),
    Action.VERDICT_GIVEN: (verdict_given, "leader"),
    Action.CONCERN_RAISED: (concern_raised, "leader"),
    Action.CONCERN_RESOLVED: (concern_resolved, "leader"),
    Action.WITHDRAWN: (withdrawn, "author"),
    Action.SIGNED_IN: (signed_in, "teammate"),
    Action.SIGN_IN_FAILED: (sign_in_failed, None),
    Action.SIGNED_OUT: (signed_out, "teammate"),
    Action.PASSWORD_CHANGED: (password_changed, "teammate"),
    Action.REFUSED: (refused, "teammate"),
    Action.ADMIN_CHANGED: (admin_changed, "staff"),
}


def test_every_action_has_a_scenario():
    assert set(SCENARIOS) == set(Action)


@pytest.mark.parametrize("action", list(SCENARIOS), ids=str)
def test_each_action_writes_exactly_one_entry_with_who_what_when_where(client, world, action):
    scenario, who = SCENARIOS[action]
    client.defaults["REMOTE_ADDR"] = ADDRESS
    before = AuditEntry.objects.count()
    response = scenario(client, world)
    assert response.status_code < 500
    # force_login signs in outside any request: such entries carry no request line.
    new = [e for e in AuditEntry.objects.order_by("pk")[before:] if e.request]
    assert [e.action for e in new] == [action], [(e.action, e.detail) for e in new]
    entry = new[0]
    assert entry.address == ADDRESS
    assert entry.at.utcoffset().total_seconds() == 0 and entry.at.tzinfo is not None
    assert entry.request.startswith(("GET /", "POST /"))
    if who is None:
        assert entry.actor is None and entry.username == "teammate"  # the name that was tried
    else:
        actor = world[who] if who in world else User.objects.get(username=who)
        assert entry.actor == actor and entry.username == who


def test_document_entries_name_the_document_and_what_changed(client, world):
    saved(client, world)
    entry = AuditEntry.objects.get(action=Action.DOCUMENT_SAVED)
    document = Document.objects.get(pk=world["document"].pk)
    assert entry.document_id == document.pk
    assert entry.target == f"revision {document.current_revision.number}"


def test_a_failed_save_writes_nothing(client, world):
    c = as_(client, world["author"])
    document = world["document"]
    stale = editor_data(document, section_problem="Mine.", base_version=document.version - 1)
    assert c.post(reverse("prfaq:autosave", args=[document.pk]), stale).status_code == 409
    empty_title = editor_data(document, title="")
    assert c.post(reverse("prfaq:edit", args=[document.pk]), empty_title).status_code == 400
    assert not AuditEntry.objects.exclude(action=Action.SIGNED_IN).exists()


def test_an_unchanged_save_and_a_double_created_document_write_one_entry_each(client, world):
    c = as_(client, world["author"])
    document = world["document"]
    c.post(reverse("prfaq:edit", args=[document.pk]), editor_data(document))
    assert not AuditEntry.objects.filter(action=Action.DOCUMENT_SAVED).exists()
    data = {"title": "Harbour", "template": "prfaq", "token": uuid4()}
    c.post(reverse("prfaq:new"), data)
    c.post(reverse("prfaq:new"), data)
    assert AuditEntry.objects.filter(action=Action.DOCUMENT_CREATED).count() == 1


def test_a_refused_action_is_logged_once_and_changes_nothing(client, world):
    thread = thread_on(world["document"], world["author"])
    comment = thread.comments.get()
    c = as_(client, world["teammate"])
    url = reverse("reviews:edit", args=[world["document"].pk, comment.pk])
    assert c.post(url, {"body": "Hijacked"}).status_code == 403
    entries = list(AuditEntry.objects.exclude(request=""))
    assert [e.action for e in entries] == [Action.REFUSED]
    assert entries[0].actor == world["teammate"] and entries[0].detail.startswith("403")
    assert Comment.objects.get(pk=comment.pk).body == "What about river mouths?"


def test_an_admin_form_that_does_not_save_writes_no_change(client, world):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    url = reverse("admin:prfaq_document_change", args=[world["document"].pk])
    assert as_(client, staff).post(url, {"title": ""}).status_code == 200
    assert not AuditEntry.objects.filter(action=Action.ADMIN_CHANGED).exists()


def test_csrf_failures_are_refusals(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS)
    c.force_login(world["teammate"])
    url = reverse("reviews:subscription", args=[world["document"].pk])
    assert c.post(url, {"state": "follow"}).status_code == 403
    entry = AuditEntry.objects.exclude(request="").get()
    assert entry.action == Action.REFUSED and entry.address == ADDRESS


def test_a_refusal_quoting_a_nul_is_logged_not_a_500(client, world):
    """PostgreSQL's text columns refuse NUL; a 404's message quotes what was asked for."""
    url = reverse("prfaq:export", args=[world["document"].pk])
    response = as_(client, world["teammate"]).get(url, {"revision": "4\x00"})
    assert response.status_code == 404
    entry = AuditEntry.objects.exclude(request="").get()
    assert entry.action == Action.REFUSED and "\x00" not in entry.detail
    assert "revision 4\ufffd" in entry.detail


def test_unknown_urls_are_not_refusals(client, world):
    as_(client, world["teammate"]).get("/no/such/page/")
    assert not AuditEntry.objects.exclude(request="").exists()


def test_a_lockout_is_logged_with_the_address_it_came_from(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client.defaults["REMOTE_ADDR"] = ADDRESS
    for _ in range(3):
        client.post(reverse("login"), {"username": "teammate", "password": "guess"})
    entries = AuditEntry.objects.order_by("pk")
    assert [e.action for e in entries] == [Action.SIGN_IN_FAILED] * 3
    assert entries.last().detail == "locked out after too many failures"
    assert {e.address for e in entries} == {ADDRESS}


def test_behind_a_trusted_proxy_the_forwarded_address_is_logged(client, world, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    client.post(
        reverse("login"),
        {"username": "teammate", "password": "guess"},
        HTTP_X_FORWARDED_FOR=f"{ADDRESS}, 10.0.0.2",
        REMOTE_ADDR="10.0.0.2",
    )
    assert AuditEntry.objects.get().address == ADDRESS

    # The same headers without the proxy trusted: the proxy's own address.
    settings.AXES_IPWARE_PROXY_COUNT = None
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    client.post(
        reverse("login"),
        {"username": "teammate", "password": "guess"},
        HTTP_X_FORWARDED_FOR=f"{ADDRESS}, 10.0.0.2",
        REMOTE_ADDR="10.0.0.2",
    )
    assert AuditEntry.objects.order_by("pk").last().address == "10.0.0.2"


def test_entries_cannot_be_changed_or_deleted(client, world):
    signed_in(client, world)
    entry = AuditEntry.objects.get()
    entry.detail = "rewritten"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.update(detail="rewritten")
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


def test_staff_read_the_log_in_the_admin_and_nobody_edits_it(client, world):
    signed_in(client, world)
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:audit_auditentry_changelist"))
    assert page.status_code == 200 and ">teammate<" in page.content.decode()
    entry = AuditEntry.objects.first()
    change = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200 and "Save" not in change.content.decode()
    delete = client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403 and AuditEntry.objects.filter(pk=entry.pk).exists()


def test_verdict_that_decides_is_one_entry_saying_so(client, world):
    round_ = in_review(world)
    vote(as_(client, world["leader"]), world, round_)
    entry = AuditEntry.objects.get(action=Action.VERDICT_GIVEN)
    assert entry.detail.endswith("round approved")
    assert entry.at.tzinfo is not None and entry.at.astimezone(UTC) == entry.at


def test_domain_calls_outside_requests_are_not_logged_twice(world):
    # Workflows called from commands or tests write no entry: the log is for people's acts.
    verdict(in_review(world), world["leader"])
    assert not AuditEntry.objects.exists()
