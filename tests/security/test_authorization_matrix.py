"""The authorization matrix: every URL, every role, every document state answers as the
rules below say, and nothing leaks.

Each cell is one request by one person on one document. The rules are what the README's
"Security" section says in prose; read them top to bottom to see who may do what:

* Anonymous people are sent to sign in (autosave answers 401, keeping their text).
* A signed-in person who may not read the document gets 404 on every URL that names it, the
  same answer as for a document that does not exist. Readers are the author, collaborators,
  Leadership, and for a document that is not restricted everyone signed in; reviewers read a
  restricted document from the moment they are asked to review it.
* A reader who may not do the action gets 403; a reader who may, but not in this state (a
  decided round, a document already in review), gets 400 with a sentence saying why.
* Staff status gives nothing in the app: a staff member is a teammate. In Django's admin a
  staff member without model permissions reaches the index and nothing else.

The world (people, five documents, their rounds, threads and notifications) is built once for
the module inside a transaction that is rolled back at the end; every cell runs in a savepoint
of it, so a cell that succeeds in changing something leaves the next cell the same world.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AuditEntry
from prfaq.content import Content, FaqEntry
from prfaq.document_templates import TEMPLATES
from prfaq.markdown_io import export_markdown
from prfaq.models import LEADERSHIP_GROUP, Document
from reviews.models import GateReport, Notification, Thread
from reviews.workflow import (
    give_verdict,
    raise_concern,
    resolve_concern,
    save_draft,
    submit_for_review,
)
from tests.conftest import PASSWORD, full_content, make_document, make_user
from tests.prfaq.test_editor import editor_data
from tests.reviews.test_review_rounds import acknowledge_all

# -- The dimensions --------------------------------------------------------------------------

GET, POST = "GET", "POST"
LOGIN = "sign-in"  # a redirect to the app's sign-in page
ADMIN_LOGIN = "admin sign-in"  # a redirect to the admin's sign-in page

ROLES = (
    "anonymous",
    "teammate",  # signed in, not involved, on a document that is not restricted
    "outsider",  # signed in, not involved, on a restricted document
    "collaborator",
    "author",
    "reviewer",  # asked to review the document's round (in the states that have one)
    "approver",  # in Leadership and asked to approve the round
    "other_leader",  # in Leadership, not asked
    "staff",  # is_staff, not a superuser, not involved
)
EDITORS = {"author", "collaborator"}
LEADERS = {"approver", "other_leader"}
ASSIGNED = {"reviewer", "approver"}


@dataclass(frozen=True)
class State:
    name: str
    restricted: bool
    round: str | None  # None, "open" or "approved"

    @property
    def status(self) -> str:
        return {None: "draft", "open": "in_review", "approved": "approved"}[self.round]


STATES = {
    s.name: s
    for s in (
        State("draft", restricted=False, round=None),
        State("in_review", restricted=False, round="open"),
        State("approved", restricted=False, round="approved"),
        State("restricted_draft", restricted=True, round=None),
        State("restricted_in_review", restricted=True, round="open"),
    )
}
SITE = "site"  # URLs that name no document run once, in this pseudo-state


def roles_for(state: str) -> list[str]:
    """Teammates meet documents that are not restricted; outsiders, restricted ones."""
    if state == SITE:
        return list(ROLES)
    return [r for r in ROLES if r != ("teammate" if STATES[state].restricted else "outsider")]


def reads(role: str, state: str) -> bool:
    """May this person open the document at all (else 404)?"""
    s = STATES[state]
    if role == "anonymous":
        return False
    if role in EDITORS | LEADERS or not s.restricted:
        return True
    return role == "reviewer" and s.round is not None


# -- The rules: for a reader of the document, what each action answers ------------------------

Rule = Callable[[str, str, State], int]  # (method, role, state) -> status


def anyone(get: int = 200, post: int = 302) -> Rule:
    return lambda method, role, s: get if method == GET else post


def only(who: set[str], get: int = 200, post: int = 302) -> Rule:
    """Members of ``who`` may; other readers get 403."""
    return lambda method, role, s: (get if method == GET else post) if role in who else 403


def needs_round(get: int = 200) -> Rule:
    """Round pages exist once the document was submitted."""
    return lambda method, role, s: get if s.round else 404


def verdict_rule(method: str, role: str, s: State) -> int:
    """Only the round's reviewers and approvers give verdicts, while the round is open."""
    if not s.round:
        return 404
    if role not in ASSIGNED:
        return 403
    return 302 if s.round == "open" else 400


def concern_rule(method: str, role: str, s: State) -> int:
    """Anyone in the round (assigned, author, collaborators) raises a concern while it is open."""
    if not s.round:
        return 404
    if role not in ASSIGNED | EDITORS:
        return 403
    return 302 if s.round == "open" else 400


def concern_resolve_rule(method: str, role: str, s: State) -> int:
    """Only who raised a concern (the reviewer) resolves it; resolving it again is harmless."""
    if not s.round:
        return 404
    return 302 if role == "reviewer" else 403


def withdraw_rule(method: str, role: str, s: State) -> int:
    """Only the author withdraws, and only an open round."""
    if role != "author":
        return 403
    if not s.round:
        return 404
    return 302 if s.round == "open" else 400


def submit_rule(method: str, role: str, s: State) -> int:
    """Only the author submits, and only a draft (in review or approved: 400, saying why)."""
    if role != "author":
        return 403
    if method == GET:
        return 200
    return 302 if s.status == "draft" else 400


@dataclass(frozen=True)
class Case:
    action: str  # the word for what the URL does
    methods: tuple[str, ...]
    rule: Rule
    variant: str = ""
    document: bool = True  # names a document: 404 for people who may not read it
    anonymous: int | str | dict = LOGIN  # what anonymous people get, by method if a dict


# Every URL of the app, by name. A URL missing here fails test_every_url_has_a_row.
ROWS: dict[str, list[Case]] = {
    "health": [Case("health", (GET,), anyone(), document=False, anonymous=200)],
    # Signed in already: straight on to the documents. Anonymous: the form, then in.
    "login": [
        Case("sign in", (GET, POST), anyone(302), document=False, anonymous={GET: 200, POST: 302})
    ],
    "logout": [Case("sign out", (POST,), lambda m, r, s: LOGIN, document=False)],
    "password_change": [Case("password", (GET, POST), anyone(), document=False)],
    "password_change_done": [Case("password", (GET,), anyone(), document=False)],
    "prfaq:dashboard": [
        Case("list", (GET,), anyone(), document=False),
        Case("search", (GET,), anyone(), variant="search-secrets", document=False),
    ],
    "prfaq:new": [Case("create", (GET, POST), anyone(), document=False)],
    "prfaq:import": [Case("import", (GET, POST), anyone(), document=False)],
    "prfaq:document": [Case("read", (GET,), anyone())],
    "prfaq:revision": [Case("read", (GET,), anyone())],
    "prfaq:history": [Case("history", (GET,), anyone())],
    "prfaq:compare": [Case("diff", (GET,), anyone())],
    "prfaq:export": [Case("export", (GET,), anyone())],
    "prfaq:edit": [Case("edit", (GET, POST), only(EDITORS))],
    "prfaq:autosave": [Case("autosave", (POST,), only(EDITORS, post=200), anonymous=401)],
    "prfaq:preview": [Case("edit", (POST,), only(EDITORS, post=200))],
    "prfaq:sharing": [Case("share", (GET, POST), only({"author"}))],
    "reviews:thread_new": [Case("comment", (POST,), anyone())],
    # A thread's permalink sends a browser to where the thread is shown.
    "reviews:thread": [Case("read", (GET,), anyone(get=302))],
    "reviews:section_threads": [Case("read", (GET,), anyone())],
    "reviews:reply": [Case("comment", (POST,), anyone())],
    "reviews:subscription": [Case("comment", (POST,), anyone())],
    "reviews:blind_reading": [Case("comment", (POST,), anyone())],
    # The thread was started by the collaborator; the document's author may resolve it too.
    "reviews:resolve": [Case("resolve", (POST,), only(EDITORS))],
    "reviews:reopen": [Case("resolve", (POST,), only(EDITORS))],
    "reviews:to_faq": [Case("edit", (POST,), only(EDITORS))],
    # The comment was written by the collaborator: only they change it, not the author.
    "reviews:edit": [Case("comment", (GET, POST), only({"collaborator"}))],
    "reviews:delete": [Case("comment", (POST,), only({"collaborator"}))],
    "reviews:submit": [Case("submit", (GET, POST), submit_rule)],
    "reviews:review": [Case("review", (GET,), needs_round(get=302))],
    "reviews:round": [Case("review", (GET,), needs_round())],
    "reviews:timeline": [Case("history", (GET,), anyone())],
    "reviews:verdict": [Case("verdict", (POST,), verdict_rule)],
    "reviews:concern": [Case("concern", (POST,), concern_rule)],
    "reviews:concern_resolve": [Case("concern", (POST,), concern_resolve_rule)],
    "reviews:withdraw": [Case("withdraw", (POST,), withdraw_rule)],
    "reviews:inbox": [Case("inbox", (GET,), anyone(), document=False)],
    "reviews:inbox_read_all": [Case("inbox", (POST,), anyone(), document=False)],
    "reviews:notification": [
        # One's own notification leads to the document, if one may still read it.
        Case("notification link", (GET,), anyone(get=302), variant="own"),
        # Someone else's is nobody's business, Leadership's included.
        Case("notification link", (GET,), lambda m, r, s: 404, variant="others"),
    ],
    "reviews:people": [Case("mention", (GET,), anyone(), document=False)],
}

# Django's admin: a staff member without model permissions (ours have none) reaches the index,
# the password change and nothing else; everyone else is sent to the admin's sign-in. The
# admin knows nothing of our roles, only of is_staff: one person of each kind stands for all.
ADMIN_ROLES = ("anonymous", "teammate", "other_leader", "staff")
ADMIN_SITE_PAGES = {
    "admin:index": 200,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:jsi18n": 200,
    "admin:login": 302,  # to the index: already signed in
    "admin:logout": LOGIN,
    "admin:autocomplete": 403,
    "admin:app_list": 404,  # apps with no model one may see do not exist for the admin
    "admin:catch_all": 404,
    "admin:view_on_site": 302,  # to the document's URL, where the app's rules apply
}
ADMIN_MODEL_PAGES = re.compile(r"^admin:\w+_(changelist|add|history|delete|change|redirect)$")


def admin_outcome(name: str, method: str, role: str) -> int | str:
    if role != "staff":
        if name == "admin:login":
            return 200  # the admin's own sign-in form
        if name == "admin:logout":
            return 302  # to the admin index, which then asks to sign in
        return ADMIN_LOGIN
    if name in ADMIN_SITE_PAGES:
        return ADMIN_SITE_PAGES[name]
    kind = ADMIN_MODEL_PAGES.match(name)
    return 302 if kind and kind[1] == "redirect" else 403


def admin_methods(name: str) -> tuple[str, ...]:
    if name == "admin:logout":
        return (POST,)
    if name not in ADMIN_SITE_PAGES and re.search(r"_(add|change|delete)$", name):
        return (GET, POST)
    return (GET,)


# -- The URLconf walk ------------------------------------------------------------------------


def walk(patterns, namespace: str = "", prefix: str = ""):
    """(name, route) of every URL; unnamed admin routes get a name saying what they are."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = p.name
            if name is None and route.endswith("<path:object_id>/"):
                model = route.split("/")[1:3]
                name = f"{'_'.join(model)}_redirect"
            elif name is None and route.endswith("(?P<url>.*)$"):
                name = "catch_all"
            yield (f"{namespace}:{name}" if namespace else str(name)), route


URLS = dict(walk(get_resolver().url_patterns))


def expected(name: str, case: Case | None, method: str, role: str, state: str) -> int | str:
    if name.startswith("admin:"):
        return admin_outcome(name, method, role)
    assert case is not None
    if role == "anonymous":
        return case.anonymous[method] if isinstance(case.anonymous, dict) else case.anonymous
    if case.document and not reads(role, state):
        return 404
    return case.rule(method, role, STATES.get(state, STATES["draft"]))


@dataclass(frozen=True)
class Cell:
    name: str
    method: str
    role: str
    state: str
    case: Case | None = field(default=None, compare=False)

    def __str__(self) -> str:
        variant = f"[{self.case.variant}]" if self.case and self.case.variant else ""
        return f"{self.name}{variant}-{self.method}-{self.role}-{self.state}"


def cells() -> list[Cell]:
    result = []
    for name in URLS:
        if name.startswith("admin:"):
            result += [Cell(name, m, r, SITE) for m in admin_methods(name) for r in ADMIN_ROLES]
            continue
        for case in ROWS.get(name, []):
            states = list(STATES) if case.document else [SITE]
            result += [
                Cell(name, m, r, s, case)
                for s in states
                for m in case.methods
                for r in roles_for(s)
            ]
    return result


CELLS = cells()


def test_every_url_has_a_row():
    app_urls = {n for n in URLS if not n.startswith("admin:")}
    assert not app_urls - ROWS.keys(), f"no expectation for URL {sorted(app_urls - ROWS.keys())}"
    assert not ROWS.keys() - app_urls, f"rows for URLs that are gone: {ROWS.keys() - app_urls}"
    unknown = [
        n
        for n in URLS
        if n.startswith("admin:")
        and n not in ADMIN_SITE_PAGES
        and not ADMIN_MODEL_PAGES.match(n)
        and n != "admin:auth_user_password_change"
    ]
    assert not unknown, f"no expectation for URL {unknown}"
    assert len(CELLS) > 1500


# -- The world -------------------------------------------------------------------------------

TITLES = {
    "draft": "Project Kestrel",
    "in_review": "Project Heron",
    "approved": "Project Osprey",
    "restricted_draft": "Project Plover",
    "restricted_in_review": "Project Gannet",
}
# A phrase in each document's text, comments, concerns, verdict notes and acknowledgements.
MARKERS = {state: f"{title.split()[1].upper()}-SECRET-4711" for state, title in TITLES.items()}
MISSING = 987_654  # an id nothing has
YES = {"big_idea": "yes", "should_we": "yes", "plan": "yes"}


@dataclass
class Doc:
    document: Document
    thread: Thread
    comment_pk: int
    concern_pk: int
    notifications: dict[str, int]  # role -> that person's notification about this document


@dataclass
class World:
    people: dict
    docs: dict[str, Doc]
    sessions: dict[str, str]
    baseline: dict = field(default_factory=dict)


def secret_content(marker: str) -> Content:
    content = full_content()
    sections = dict(content.sections)
    sections["summary"] = f"Tide Alerts text skippers the safe windows. Codename {marker}."
    faq = (*content.faq, FaqEntry("Is it confidential?", f"Yes: {marker}.", "internal", "other"))
    return Content(sections=sections, faq=faq)


def build_world() -> World:
    people = {
        "author": make_user("author", first_name="Avery", last_name="Author"),
        "collaborator": make_user("collaborator"),
        "teammate": make_user("teammate"),
        "outsider": make_user("outsider"),
        "reviewer": make_user("reviewer"),
        "approver": make_user("approver", leader=True),
        "other_leader": make_user("other_leader", leader=True),
        "staff": make_user("staff", is_staff=True),
    }
    docs = {}
    for state, s in STATES.items():
        marker = MARKERS[state]
        document = make_document(
            owner=people["author"],
            title=TITLES[state],
            content=secret_content(marker),
            collaborators=[people["collaborator"]],
            restricted=s.restricted,
        )
        save_draft(
            document=document, by=people["author"], title=document.title,
            content=secret_content(f"{marker} (revised)"), base_version=document.version,
            checkpoint=True,
        )  # fmt: skip
        document.refresh_from_db()
        assert document.current_revision.number == 2  # something for the diff to compare
        thread = Thread.start(
            document=document, revision=document.current_revision, section="problem", quote="",
            by=people["collaborator"], body=f"Does it work offline? {marker}",
        )  # fmt: skip
        concern_pk = MISSING
        if s.round:
            document.refresh_from_db()
            round_ = submit_for_review(
                document=document, by=people["author"], approvers=[people["approver"]],
                reviewers=[people["reviewer"]], due_date=timezone.localdate() + timedelta(days=7),
                feedback_wanted=f"Feedback on {marker}",
                acknowledgements={k: f"Known: {marker}" for k in acknowledge_all(document)},
            )  # fmt: skip
            give_verdict(
                round=round_, by=people["reviewer"], answers={**YES, "plan": "not_yet"},
                notes={"plan": f"Plan note {marker}"}, decision="request_changes",
                rationale=f"Rationale {marker}",
            )  # fmt: skip
            concern = raise_concern(round=round_, by=people["reviewer"], text=f"Concern {marker}")
            concern_pk = concern.pk
            if s.round == "approved":
                resolve_concern(concern=concern, by=people["reviewer"])
                give_verdict(
                    round=round_, by=people["approver"], answers=YES,
                    notes={"big_idea": f"Big idea note {marker}"}, decision="approve",
                    rationale=f"Approved {marker}",
                )  # fmt: skip
        document.refresh_from_db()
        assert document.status == s.status
        comment = thread.comments.get()
        notifications = {
            role: Notification.objects.create(
                recipient=user, actor=people["collaborator"], kind=Notification.Kind.COMMENT,
                document=document, thread=thread, comment=comment,
            ).pk
            for role, user in people.items()
        }  # fmt: skip
        docs[state] = Doc(document, thread, comment.pk, concern_pk, notifications)
    # Something for every admin page that names an object to name.
    AccessAttempt.objects.create(
        username="author", ip_address="192.0.2.1", user_agent="x", http_accept="*/*",
        path_info="/accounts/login/", get_data="", post_data="", failures_since_start=1,
    )  # fmt: skip
    AccessFailureLog.objects.create(
        username="author", ip_address="192.0.2.1", user_agent="x", http_accept="*/*",
        path_info="/accounts/login/",
    )  # fmt: skip
    sessions = {}
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(people=people, docs=docs, sessions=sessions)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; rolled back after the module. Each test's savepoint undoes its own changes."""
    md5 = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), md5, transaction.atomic():
        built = build_world()
        built.baseline = snapshot()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def db(world):
    """Each test in a savepoint of the world, undone after it.

    Replaces pytest-django's ``db`` in this module (its name still tells pytest-django to set
    up the test database): the same isolation at a tenth of the cost, over thousands of cells.
    """
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def _fast_password_hashing():
    """The world's passwords are hashed with MD5 already (conftest's autouse, made cheaper)."""


def snapshot() -> dict[str, list]:
    """Every row of every table but the sessions, the audit log (a refusal is logged) and the
    page cache's counters (bookkeeping, not data), for "a refused request changed nothing"."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in ("sessions.Session", "audit.AuditEntry", "prfaq.Stamp"):
            continue
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return rows


# -- Requests --------------------------------------------------------------------------------


def request_for(cell: Cell, world: World, *, missing: bool = False) -> tuple[str, dict | None]:
    """The URL and (for POST) a payload that would succeed for someone allowed."""
    if cell.name.startswith("admin:"):
        return admin_url(cell.name, world), {}
    doc = world.docs.get(cell.state) or world.docs["restricted_in_review"]
    document = doc.document
    variant = cell.case.variant if cell.case else ""
    kwargs: dict = {}
    route = URLS[cell.name]
    if "<int:pk>" in route:
        kwargs["pk"] = MISSING if missing else document.pk
    if "<int:thread_pk>" in route:
        kwargs["thread_pk"] = doc.thread.pk
    if "<int:comment_pk>" in route:
        kwargs["comment_pk"] = doc.comment_pk
    if "<int:number>" in route:
        kwargs["number"] = 1
    if "<int:concern_pk>" in route:
        kwargs["concern_pk"] = doc.concern_pk
    if "<slug:section>" in route:
        kwargs["section"] = "problem"
    if "<int:notification_pk>" in route:
        owner = cell.role if variant == "own" and cell.role != "anonymous" else "author"
        if variant == "others":
            owner = "collaborator" if cell.role == "author" else "author"
        kwargs["notification_pk"] = MISSING if missing else doc.notifications[owner]
    url = reverse(cell.name, kwargs=kwargs)
    query = {
        "prfaq:compare": "?from=1&to=2",
        "prfaq:dashboard": "?q=SECRET-4711" if variant == "search-secrets" else "",
    }.get(cell.name, "")
    if cell.method == GET:
        return url + query, None
    return url + query, payload(cell, world, document)


def payload(cell: Cell, world: World, document: Document | None) -> dict:
    people = world.people
    match cell.name:
        case "prfaq:edit" | "prfaq:autosave" | "prfaq:preview":
            problem = document.current_revision.as_content().section("problem")
            return editor_data(document, section_problem=f"{problem} It costs $1,800 a season.")
        case "prfaq:sharing":
            return {"restricted": document.restricted, "collaborators": "collaborator teammate"}
        case "reviews:thread_new":
            return {"section": "problem", "body": "What does it cost?"}
        case "reviews:reply" | "reviews:edit":
            return {"body": "Offline: yes, by SMS."}
        case "reviews:subscription":
            return {"state": "follow"}
        case "reviews:blind_reading":
            return {"hide": "1"}
        case "reviews:submit":
            acks = {f"ack_{k}": "Known." for k in acknowledge_all(document)}
            return {
                "revision": document.current_revision.number,
                "approvers": [people["other_leader"].pk],
                "reviewers": [people["teammate"].pk], "feedback_wanted": "Is it big enough?",
                "due_date": (timezone.localdate() + timedelta(days=5)).isoformat(), **acks,
            }  # fmt: skip
        case "reviews:verdict":
            revision = document.current_revision.number
            return {"revision": revision, **YES, "decision": "approve", "rationale": "Good."}
        case "reviews:concern":
            return {"text": "The finances do not add up."}
        case "prfaq:new":
            return {"title": "A new idea", "template": "prfaq", "token": str(uuid.uuid4())}
        case "prfaq:import":
            raw = export_markdown(
                title="Imported idea", template=TEMPLATES["prfaq"], content=full_content()
            )
            return {"raw": raw, "title": "Imported idea", "token": str(uuid.uuid4())}
        case "login":
            return {"username": "author", "password": PASSWORD}
        case "password_change":
            new = "a brand new passphrase 42"
            return {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    return {}


def admin_url(name: str, world: World) -> str:
    """Admin URLs naming an object name one that exists, those of the restricted document
    in review where there is a choice (a missing object is answered differently)."""
    doc = world.docs["restricted_in_review"].document
    preferred = {
        Group: Group.objects.get(name=LEADERSHIP_GROUP),
        type(doc): doc,
        type(doc.current_revision): doc.current_revision,
        GateReport: GateReport.objects.get(revision=doc.current_revision),
        type(world.people["author"]): world.people["author"],
    }
    if name == "admin:app_list":
        return "/admin/prfaq/"
    if name == "admin:catch_all":
        return "/admin/no-such-page/"
    if name == "admin:view_on_site":
        return reverse(name, args=[ContentType.objects.get_for_model(Document).pk, doc.pk])
    if name == "admin:auth_user_password_change":
        return reverse(name, args=[world.people["author"].pk])
    page = ADMIN_MODEL_PAGES.match(name)
    if name in ADMIN_SITE_PAGES or page[1] in ("changelist", "add"):
        return reverse(name)
    label = name.removeprefix("admin:").removesuffix(f"_{page[1]}")
    model = ADMIN_MODELS[label]
    obj = preferred.get(model) or model._base_manager.order_by("pk").first()
    assert obj is not None, f"nothing in the world for {name} to name"
    if page[1] == "redirect":
        return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/"
    return reverse(name, args=[obj.pk])


ADMIN_MODELS = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}


def writes() -> int | None:
    """Rows written so far on this connection, where the database can tell cheaply."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables"
            )
        else:
            return None
        return cursor.fetchone()[0]


def outcome(response) -> int | str:
    if response.status_code == 302:
        if response.url.startswith(reverse("login")):
            return LOGIN
        if response.url.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return response.status_code


CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+')


def readable_states(role: str) -> set[str]:
    return {state for state in STATES if reads(role, state)}


def secrets_of(state: str) -> list[bytes]:
    return [TITLES[state].encode(), MARKERS[state].encode()]


# -- The matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=str)
def test_matrix(cell, world, db):
    if cell.case is None and not cell.name.startswith("admin:"):
        pytest.fail(f"no expectation for URL {cell.name}")
    client = Client()
    if cell.role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[cell.role]
    url, data = request_for(cell, world)
    written = writes()
    logged = AuditEntry.objects.count()
    response = client.get(url) if cell.method == GET else client.post(url, data)
    want = expected(cell.name, cell.case, cell.method, cell.role, cell.state)
    got = outcome(response)
    assert got == want, f"{cell}: {url} answered {got}, the rules say {want}"
    if want in (403, 404) and cell.role != "anonymous":
        # Every refusal is in the audit log, once, with who was refused.
        entries = list(AuditEntry.objects.order_by("pk")[logged:])
        assert [(e.action, e.username) for e in entries] == [("refused", cell.role)], cell

    body = response.content
    # 0 leaks: nobody sees anything of a document they may not read, on any page...
    for state in set(STATES) - readable_states(cell.role):
        for secret in secrets_of(state):
            assert secret not in body, f"{cell}: {url} shows {secret!r} of {state}"
    # ...and a refusal shows nothing of the document it refuses.
    if want in (403, 404) and cell.state in STATES:
        for secret in secrets_of(cell.state):
            assert secret not in body, f"{cell}: the {want} shows {secret!r}"
    if want == 404 and "<int:" in URLS[cell.name]:
        # No existence oracle: the same answer as for an id that does not exist.
        missing_url, _ = request_for(cell, world, missing=True)
        missing = client.get(missing_url) if cell.method == GET else client.post(missing_url, data)
        assert missing.status_code == 404
        assert CSRF.sub(rb"\1", missing.content) == CSRF.sub(rb"\1", body), cell
    # A refusal changes nothing (signing out is no refusal: it ends the session it should).
    refused = want not in (200, 302) and cell.name not in ("logout", "admin:logout")
    if refused and (written is None or writes() != written):
        assert snapshot() == world.baseline, f"{cell}: refused, yet the database changed"


def test_the_write_counter_sees_a_write(world, db):
    """The matrix skips its snapshot when the counter saw no write: the counter must see one."""
    before = writes()
    Notification.objects.filter(pk=world.docs["draft"].notifications["author"]).update(
        read_at=timezone.now()
    )
    assert before is None or writes() > before
    assert snapshot() != world.baseline


# -- Tampered hidden fields ------------------------------------------------------------------


def signed_in(world: World, role: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def rows_of_other_documents(world: World, state: str) -> dict[str, list]:
    """Everything in the database that does not belong to the document in ``state``."""
    pk = world.docs[state].document.pk
    rows = snapshot()
    mine = {
        "prfaq.Document": lambda r: r[0] == pk,
        "prfaq.Revision": lambda r: r[1] == pk,
        "reviews.GateReport": lambda r: True,  # recomputed per revision; not a document's state
        "reviews.Event": lambda r: r[1] == pk,
        "django_tasks_database.DBTaskResult": lambda r: True,  # notifications queued
    }
    return {
        label: [r for r in values if not mine.get(label, lambda r: False)(r)]
        for label, values in rows.items()
    }


def tampered_editor_fields(world: World, state: str) -> dict:
    """What a forged editor form adds: someone else's ids for everything it may not set."""
    other = world.docs["restricted_in_review"]
    people = world.people
    return {
        "owner": people["teammate"].pk,
        "owner_id": people["teammate"].pk,
        "status": "approved",
        "restricted": "on",
        "version": 999,
        "current_revision": other.document.current_revision_id,
        "revision": other.document.current_revision_id,
        "collaborators": [people["teammate"].pk, people["outsider"].pk],
        "readers": [people["outsider"].pk],
        "approvers": [people["teammate"].pk],
        "reviewers": [people["outsider"].pk],
        "round": other.document.rounds.get().pk,
        "number": 7,
        "notification": other.notifications["approver"],
        "faq-0-thread": other.thread.pk,  # a thread of another document
    }


@pytest.mark.parametrize(("url_name", "status"), [("prfaq:edit", 302), ("prfaq:autosave", 200)])
@pytest.mark.parametrize("state", ["in_review", "approved"])
def test_a_forged_editor_form_changes_only_the_text(world, db, url_name, status, state):
    doc = world.docs[state]
    document = Document.objects.get(pk=doc.document.pk)
    before = {
        "others": rows_of_other_documents(world, state),
        "owner": document.owner_id,
        "restricted": document.restricted,
        "collaborators": set(document.collaborators.values_list("pk", flat=True)),
        "readers": set(document.readers.values_list("pk", flat=True)),
        "rounds": list(document.rounds.values_list("pk", "number", "state")),
        "assignments": set(document.rounds.values_list("assignments__user", "assignments__role")),
    }
    data = editor_data(document, section_problem="Skippers lose $1,800 a season to tides.")
    data |= tampered_editor_fields(world, state)

    response = signed_in(world, "collaborator").post(reverse(url_name, args=[document.pk]), data)

    assert response.status_code == status, response.content[:500]
    document.refresh_from_db()
    assert document.current_revision.as_content().section("problem").startswith("Skippers lose")
    assert document.version == doc.document.version + 1
    # An edit during a review keeps it in review; after an approval, it is a draft again.
    assert document.status == {"in_review": "in_review", "approved": "draft"}[state]
    assert document.owner_id == before["owner"]
    assert document.restricted == before["restricted"]
    assert set(document.collaborators.values_list("pk", flat=True)) == before["collaborators"]
    assert set(document.readers.values_list("pk", flat=True)) == before["readers"]
    assert list(document.rounds.values_list("pk", "number", "state")) == before["rounds"]
    assert (
        set(document.rounds.values_list("assignments__user", "assignments__role"))
        == before["assignments"]
    )
    assert all(e.thread is None for e in document.current_revision.as_content().faq)
    assert rows_of_other_documents(world, state) == before["others"]


def test_an_faq_entry_keeps_the_link_to_its_own_thread(world, db):
    doc = world.docs["draft"]
    document = Document.objects.get(pk=doc.document.pk)  # the world's own copy stays as it is
    data = editor_data(document) | {
        "faq-TOTAL_FORMS": 4,
        "faq-3-question": "Does it work offline?",
        "faq-3-side": "internal",
        "faq-3-thread": doc.thread.pk,
    }
    response = signed_in(world, "author").post(reverse("prfaq:edit", args=[document.pk]), data)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_revision.as_content().faq[3].thread == doc.thread.pk


def test_a_forged_submission_names_no_one_who_may_not_approve(world, db):
    """Approvers who are not leaders, or who wrote it, and reviewers who wrote it: refused."""
    document = world.docs["draft"].document
    people = world.people
    url = reverse("reviews:submit", args=[document.pk])
    author = signed_in(world, "author")
    base = payload(Cell("reviews:submit", POST, "author", "draft"), world, document)
    for forged in (
        {"approvers": [people["teammate"].pk]},
        {"approvers": [people["collaborator"].pk]},
        {"approvers": [people["author"].pk]},
        {"approvers": [people["other_leader"].pk], "reviewers": [people["author"].pk]},
        {"approvers": [MISSING]},
        {"revision": 1},  # the revision number the author did not see last
    ):
        response = author.post(url, base | forged)
        assert response.status_code == 400, forged
        assert snapshot() == world.baseline, forged
    # Fields the form does not have are ignored: the round's number and owner are the app's.
    response = author.post(
        url, base | {"number": 7, "submitted_by": people["teammate"].pk, "state": "approved"}
    )
    assert response.status_code == 302
    round_ = document.rounds.get()
    assert (round_.number, round_.submitted_by, round_.state) == (1, people["author"], "open")


def test_a_forged_verdict_is_the_senders_own(world, db):
    doc = world.docs["in_review"]
    people = world.people
    url = reverse("reviews:verdict", args=[doc.document.pk, 1])
    data = payload(Cell("reviews:verdict", POST, "reviewer", "in_review"), world, doc.document)
    data |= {"reviewer": people["approver"].pk, "round": MISSING, "role": "approver"}
    response = signed_in(world, "reviewer").post(url, data)
    assert response.status_code == 302
    round_ = doc.document.rounds.get()
    assert set(round_.verdicts.values_list("reviewer__username", "decision")) == {
        ("reviewer", "approve")
    }
    assert round_.state == "open"  # a reviewer's approval decides nothing


# Ids of another document's objects under this document's URL: 404, as if they did not exist.
FOREIGN = [
    ("reviews:reply", "thread_pk", {"body": "Hi"}),
    ("reviews:resolve", "thread_pk", {}),
    ("reviews:reopen", "thread_pk", {}),
    ("reviews:to_faq", "thread_pk", {}),
    ("reviews:edit", "comment_pk", {"body": "Changed"}),
    ("reviews:delete", "comment_pk", {}),
    ("reviews:concern_resolve", "concern_pk", {}),
]


@pytest.mark.parametrize(("url_name", "kind", "data"), FOREIGN, ids=[f[0] for f in FOREIGN])
@pytest.mark.parametrize("other", ["approved", "restricted_in_review"])
def test_ids_of_another_documents_objects_are_404(world, db, url_name, kind, data, other):
    """The collaborator (who wrote the thread and may read both documents) and the reviewer
    (who raised the concern) try this document's URL with the other document's ids."""
    here, there = world.docs["in_review"], world.docs[other]
    kwargs = {"pk": here.document.pk}
    if kind == "thread_pk":
        kwargs["thread_pk"] = there.thread.pk
    elif kind == "comment_pk":
        kwargs["comment_pk"] = there.comment_pk
    else:
        kwargs |= {"number": 1, "concern_pk": there.concern_pk}
    role = "reviewer" if kind == "concern_pk" else "collaborator"
    response = signed_in(world, role).post(reverse(url_name, kwargs=kwargs), data)
    assert response.status_code == 404
    assert snapshot() == world.baseline


def test_a_round_number_only_another_document_has_is_404(world, db):
    draft = world.docs["draft"].document  # no round; the others have round 1
    for url_name in ("reviews:round", "reviews:verdict", "reviews:concern", "reviews:withdraw"):
        client = signed_in(world, "author")
        url = reverse(url_name, args=[draft.pk, 1])
        response = client.get(url) if url_name == "reviews:round" else client.post(url, {})
        assert response.status_code == 404, url_name
    assert snapshot() == world.baseline


def test_forged_owner_fields_on_small_forms_change_nothing_of_anyone_elses(world, db):
    people, doc = world.people, world.docs["in_review"]
    teammate = signed_in(world, "teammate")
    stranger = {"owner": people["author"].pk, "user": people["author"].pk,
                "author": people["author"].pk, "recipient": people["author"].pk,
                "notification": doc.notifications["author"]}  # fmt: skip
    teammate.post(reverse("prfaq:new"), payload(Cell("prfaq:new", POST, "t", SITE), world, None)
                  | stranger)  # fmt: skip
    assert Document.objects.get(title="A new idea").owner == people["teammate"]
    teammate.post(reverse("reviews:subscription", args=[doc.document.pk]),
                  {"state": "mute"} | stranger)  # fmt: skip
    assert set(doc.document.subscriptions.values_list("user__username", "state")) == {
        ("teammate", "mute")
    }
    teammate.post(reverse("reviews:inbox_read_all"), stranger)
    assert Notification.objects.get(pk=doc.notifications["author"]).read_at is None
    assert Notification.objects.get(pk=doc.notifications["teammate"]).read_at is not None
    collaborator = signed_in(world, "collaborator")
    collaborator.post(reverse("reviews:edit", args=[doc.document.pk, doc.comment_pk]),
                      {"body": "Edited.", "thread": world.docs["draft"].thread.pk} | stranger)  # fmt: skip
    comment = doc.thread.comments.get()
    assert (comment.body, comment.author, comment.thread) == (
        "Edited.", people["collaborator"], doc.thread
    )  # fmt: skip
    author = signed_in(world, "author")
    author.post(reverse("prfaq:sharing", args=[doc.document.pk]),
                {"collaborators": "collaborator", "owner": people["teammate"].pk})  # fmt: skip
    assert Document.objects.get(pk=doc.document.pk).owner == people["author"]


# -- Notification links ----------------------------------------------------------------------


def test_a_notification_about_a_document_since_restricted_leads_nowhere(world, db):
    doc = world.docs["draft"]
    teammate = signed_in(world, "teammate")
    url = reverse("reviews:notification", args=[doc.notifications["teammate"]])
    signed_in(world, "author").post(
        reverse("prfaq:sharing", args=[doc.document.pk]),
        {"restricted": "on", "collaborators": "collaborator"},
    )
    response = teammate.get(url)
    assert response.status_code == 404
    assert Notification.objects.get(pk=doc.notifications["teammate"]).read_at is None
    assert TITLES["draft"].encode() not in teammate.get(reverse("reviews:inbox")).content


def test_someone_elses_notification_is_404_even_to_leadership(world, db):
    doc = world.docs["restricted_in_review"]
    for role in ("approver", "other_leader", "collaborator", "staff"):
        url = reverse("reviews:notification", args=[doc.notifications["author"]])
        assert signed_in(world, role).get(url).status_code == 404, role
    assert Notification.objects.get(pk=doc.notifications["author"]).read_at is None
