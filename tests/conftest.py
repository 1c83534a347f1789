"""Personas and factories shared by every test."""

import os

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.db import connection

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import TEMPLATES
from prfaq.models import LEADERSHIP_GROUP, Document, User
from reviews.models import Thread
from reviews.workflow import save_draft, start_document

# Playwright's sync API runs an event loop in the test thread; Django must allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


def pytest_terminal_summary(terminalreporter) -> None:
    """Figures a test left as ``("figures", [heading, lines])`` in its report's
    user_properties, printed at the end of the run (CI's log included). Read from the
    reports, so a test run in a parallel worker is printed as well."""
    for reports in list(terminalreporter.stats.values()):
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "figures" and report.when == "call":
                    heading, lines = value
                    terminalreporter.write_sep("-", heading)
                    for line in lines:
                        terminalreporter.write_line(line)


def make_user(username: str, *, leader: bool = False, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if leader:
        user.groups.add(Group.objects.get_or_create(name=LEADERSHIP_GROUP)[0])
    return user


def make_content(**sections: str) -> Content:
    return Content(sections=sections)


def start_thread(document: Document, by: User, body: str = "What about river mouths?") -> Thread:
    """A thread on the document's problem section, quoting nothing, with its first comment."""
    return Thread.start(
        document=document,
        revision=document.current_revision,
        section="problem",
        quote="",
        by=by,
        body=body,
    )


def make_document(*, owner: User, title: str = "Tide Alerts", template: str = "prfaq", **overrides):
    """A document with its first revision; ``content`` saves a second one."""
    content = overrides.pop("content", None)
    collaborators = overrides.pop("collaborators", [])
    document = start_document(owner=owner, title=title, template=TEMPLATES[template])
    if content is not None:
        save_draft(
            document=document,
            by=owner,
            title=title,
            content=content,
            base_version=document.version,
            checkpoint=True,
        )
    if collaborators or overrides.get("restricted"):
        document.set_sharing(
            restricted=overrides.pop("restricted", False), collaborators=collaborators
        )
    if overrides:
        Document.objects.filter(pk=document.pk).update(**overrides)
        document.refresh_from_db()
    return document


def make_long_document(*, owner: User, revisions: int = 50, questions: int = 40) -> Document:
    """A document with many revisions and FAQ entries, for query-count tests."""
    faq = tuple(FaqEntry(f"Question {i}?", f"Answer {i}.") for i in range(questions))
    document = make_document(owner=owner, content=Content(sections={"problem": "p"}, faq=faq))
    for i in range(revisions):
        save_draft(
            document=document,
            by=owner,
            title=document.title,
            content=Content(sections={"problem": f"p{i}"}, faq=faq),
            base_version=document.version,
            checkpoint=True,
        )
    return document


def full_content() -> Content:
    return Content(
        sections={
            "headline": "Tide Alerts tell skippers when the bar is safe",
            "problem": "Skippers of small boats misread tides and lose a day's catch.",
            "solution": "One text message each evening with the safe windows.",
        },
        faq=(
            FaqEntry("Does it need a smartphone?", "No. Plain SMS.", "external", "customer"),
            FaqEntry("What does it cost?", "$0.48 per boat a month.", "internal", "finances"),
        ),
    )


@pytest.fixture
def author(db) -> User:
    return make_user("author", first_name="Avery", last_name="Author")


@pytest.fixture
def collaborator(db) -> User:
    return make_user("collaborator")


@pytest.fixture
def teammate(db) -> User:
    return make_user("teammate")


@pytest.fixture
def outsider(db) -> User:
    return make_user("outsider")


@pytest.fixture
def leader(db) -> User:
    return make_user("leader", leader=True)


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def document(author, collaborator) -> Document:
    return make_document(owner=author, content=full_content(), collaborators=[collaborator])


@pytest.fixture
def restricted(author, collaborator) -> Document:
    return make_document(
        owner=author,
        title="Secret plan",
        content=full_content(),
        collaborators=[collaborator],
        restricted=True,
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-gpu",
        ],
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts without fragments another test rendered (ids repeat across tests)."""
    cache.clear()
    caches["pages"].clear()
    caches["comments"].clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and before they are dropped, no session left on them.

    PostgreSQL drops a database only when nobody is connected to it. A thread a test
    started (a race's request, a live server's) closes its connection as it ends, but one
    left to the garbage collector can still hold a session when the worker's last test has
    run, and the drop would fail: end such sessions first."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


# The XSS corpus made into a document, for the security tests and the browser test.
from tests.security.fixtures import hostile  # noqa: E402, F401
