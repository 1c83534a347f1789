"""export_all and import_all: a whole installation moves to a fresh database and back intact."""

import gzip
import io
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from audit.log import record
from audit.models import AuditEntry
from prfaq.content import Content, FaqEntry
from prfaq.models import Document, User
from reviews.backup import MODELS, row_counts
from reviews.models import (
    BlindReading,
    Comment,
    Event,
    Notification,
    ReviewRound,
    Subscription,
    Thread,
)
from reviews.workflow import raise_concern, resolve_concern, save_draft, withdraw_review
from tests.conftest import PASSWORD, full_content, make_document, make_user
from tests.reviews.test_notifications import run_worker
from tests.reviews.test_review_rounds import edit, submit, verdict

PROJECT = Path(settings.BASE_DIR)
ROUNDTRIP_DATABASE = f"prfaq_backup_roundtrip_{os.getpid()}"  # two runs at once do not meet
# Combining accents, a ZWJ family, right-to-left text, astral letters, a line separator.
ODD = (
    "Zo\u00eb \u00d1\u00fa\u00f1ez \U0001f980 \U0001f469\u200d\U0001f469\u200d\U0001f467 "
    "\u05e2\u05d1\u05e8\u05d9\u05ea\u200e \u6d4b\u8bd5 \U0001d518\U0001d52b e\u0301 "
    '\u2028 \u200b "quotes" \\ back\\slash <b>&amp;</b>'
)
BIG = ("A paragraph of the solution, long enough to matter. " * 2_000).strip()
NO = {"big_idea": "no", "should_we": "yes", "plan": "not_yet"}


def make_everything() -> dict:
    """At least one row of every model backed up, in the states the app produces."""
    author = make_user("author", first_name="Zoë", last_name="Ñúñez 🦀", email="zoe@example.com")
    collaborator = make_user("collaborator")
    reviewer = make_user("reviewer")
    leader = make_user("leader", leader=True)
    leader2 = make_user("leader2", leader=True)
    make_user("gone", is_active=False, last_login=timezone.now() - timedelta(days=400))
    editors = Group.objects.create(name="Editors \u00e9")
    editors.permissions.add(Permission.objects.get(codename="change_document"))
    admin = make_user("admin", is_staff=True, is_superuser=True)
    admin.groups.add(editors)
    admin.user_permissions.add(Permission.objects.get(codename="view_event"))

    # In review, round 2: round 1 ended with changes requested; an approval was then dismissed.
    reviewed = make_document(owner=author, content=full_content(), collaborators=[collaborator])
    first = submit(reviewed, author, [leader], [reviewer])
    concern = raise_concern(round=first, by=reviewer, text=f"Who pays? {ODD}")
    resolve_concern(concern=concern, by=reviewer)
    verdict(first, reviewer, decision="request_changes", answers=NO, rationale="Numbers.")
    verdict(first, leader, decision="request_changes", answers=NO, rationale="Show costs.")
    edit(reviewed, author, "Skippers of small boats misread tides and lose a day's catch, often.")
    second = submit(reviewed, author, [leader, leader2], [reviewer])
    verdict(second, leader)
    raise_concern(round=second, by=leader2, text="Still open.")
    edit(reviewed, author, "Skippers misread tides and lose a day's catch: 2 in 5 trips.")

    # Restricted, approved, with readers; odd Unicode and a big section.
    content = Content(
        sections={"headline": ODD, "problem": f"Skippers misread tides. {ODD}", "solution": BIG},
        faq=(FaqEntry(f"Why {ODD}?", "Because.", "internal", "finances"),),
    )
    secret = make_document(owner=author, title=f"Secret {ODD}", content=content, restricted=True)
    secret.readers.add(reviewer)
    approved = submit(secret, author, [leader2])
    verdict(approved, leader2)

    withdrawn = make_document(owner=collaborator, title="Withdrawn", content=full_content())
    withdraw_review(round=submit(withdrawn, collaborator, [leader]), by=collaborator)

    # A discussion: replies, a mention, a deleted comment, a resolved thread.
    reviewed.refresh_from_db()
    thread = Thread.start(
        document=reviewed, revision=reviewed.current_revision, section="problem",
        quote="misread tides", by=reviewer, body=f"Is this true? {ODD}",
    )  # fmt: skip
    thread.reply(by=author, body="Yes, @reviewer: see the FAQ.")
    thread.reply(by=collaborator, body="I wrote something I regret.").delete_by(by=collaborator)
    thread.comments.first().edit(by=reviewer, body="Is this **really** true?")
    done = Thread.start(
        document=reviewed, revision=reviewed.current_revision, section="solution", quote="",
        by=leader, body="Fine by me.",
    )  # fmt: skip
    done.resolve(by=author)
    Subscription.objects.create(user=leader, document=reviewed, state=Subscription.State.MUTE)
    Subscription.objects.create(user=reviewer, document=reviewed, state=Subscription.State.FOLLOW)
    BlindReading.objects.create(user=leader2, document=reviewed)
    run_worker()
    Notification.objects.filter(recipient=author).update(read_at=timezone.now())
    # The audit log: a sign-in from an address, and a refusal with odd text.
    sign_in = RequestFactory().post("/accounts/login/", REMOTE_ADDR="2001:db8::7")
    record(sign_in, AuditEntry.Action.SIGNED_IN, user=author)
    record(sign_in, AuditEntry.Action.REFUSED, user=leader2, document=secret, detail=f"404 {ODD}")
    return {"author": author, "reviewed": reviewed, "secret": secret}


def test_the_test_data_covers_every_model_backed_up(db):
    make_everything()
    empty = [label for label, n in row_counts().items() if n == 0]
    assert empty == []
    assert Comment.objects.filter(deleted_at__isnull=False).exists()
    assert set(ReviewRound.objects.values_list("state", flat=True)) == {
        "open", "changes_requested", "approved", "withdrawn"
    }  # fmt: skip
    assert Document.objects.get(title__startswith="Secret").restricted


def export(path: Path) -> dict:
    call_command("export_all", str(path), stdout=io.StringIO())
    return load(path)


def load(path: Path) -> dict:
    """An archive as data, less the moment it was written."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as file:
        archive = json.load(file)
    del archive["exported_at"]
    return archive


def import_(path: Path) -> str:
    out = io.StringIO()
    call_command("import_all", str(path), stdout=out)
    return out.getvalue()


def empty_database() -> None:
    """What a fresh, migrated database holds: no rows of ours (flush re-adds permissions)."""
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_round_trip_in_process_loses_nothing(tmp_path, client):
    data = make_everything()
    before = export(tmp_path / "before.json.gz")
    newest = Document.objects.latest("pk").pk
    empty_database()
    out = import_(tmp_path / "before.json.gz")
    assert re.search(r"prfaq\.document +3\n", out)
    assert out.strip().endswith("run check_integrity next.")
    assert export(tmp_path / "after.json") == before
    assert before["counts"] == row_counts()
    # People sign in with their old passwords and see what they saw.
    assert User.objects.get(username="author").check_password(PASSWORD)
    assert User.objects.get(username="leader").is_leader
    client.force_login(User.objects.get(username="leader"))
    page = client.get(data["reviewed"].get_absolute_url()).content.decode()
    assert "Is this <strong>really</strong> true?" in page
    check = io.StringIO()
    call_command("check_integrity", stdout=check)
    assert "Everything is consistent." in check.getvalue()
    # New rows after a restore take fresh ids.
    fresh = make_document(owner=data["author"], title="After the restore", content=full_content())
    thread = Thread.start(
        document=fresh, revision=fresh.current_revision, section="problem", quote="",
        by=data["author"], body="Still works?",
    )  # fmt: skip
    assert fresh.pk > newest
    assert thread.comments.get().pk > max(
        o["pk"] for o in before["objects"] if o["model"] == "reviews.comment"
    )
    assert Event.objects.filter(document=fresh, kind="commented").exists()


@pytest.mark.django_db(transaction=True)
def test_a_document_search_trailed_when_archived_is_found_once_restored(tmp_path):
    author = make_user("author")
    document = make_document(owner=author)
    content = Content(sections={"problem": "Skippers misread tides."}, faq=())
    # An autosave rewriting the open revision: search trails it.
    save_draft(document=document, by=author, title=document.title, content=content,
               base_version=document.version)  # fmt: skip
    assert not Document.objects.search("misread").exists()
    export(tmp_path / "archive.json")
    empty_database()
    import_(tmp_path / "archive.json")
    assert list(Document.objects.search("misread")) == [document]


def test_the_archive_is_plain_json_with_a_version_and_counts(db, tmp_path):
    make_everything()
    call_command("export_all", str(tmp_path / "a.json"), stdout=io.StringIO())
    archive = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert archive["format"] == "prfaq-studio-backup" and archive["version"] == 1
    assert archive["counts"] == row_counts()
    assert len(archive["objects"]) == sum(archive["counts"][m.lower()] for m in MODELS)
    revisions = [o for o in archive["objects"] if o["model"] == "prfaq.revision"]
    assert any(BIG in json.dumps(o, ensure_ascii=False) for o in revisions)
    users = {o["fields"]["username"]: o for o in archive["objects"] if o["model"] == "prfaq.user"}
    assert users["author"]["fields"]["password"].startswith("md5$")
    assert users["admin"]["fields"]["groups"] == [["Editors \u00e9"]]
    assert users["admin"]["fields"]["user_permissions"] == [["view_event", "reviews", "event"]]
    # Microseconds survive (Django's own JSON drops them).
    stamp = Event.objects.order_by("pk").first().created_at
    events = [o for o in archive["objects"] if o["model"] == "reviews.event"]
    assert events[0]["fields"]["created_at"] == stamp.isoformat()


@pytest.mark.django_db(transaction=True)
def test_a_gzipped_archive_is_recognised_by_its_content(tmp_path):
    make_user("author")
    export(tmp_path / "a.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes()[:2] == b"\x1f\x8b"
    (tmp_path / "a.json.gz").rename(tmp_path / "renamed.json")
    empty_database()
    import_(tmp_path / "renamed.json")
    assert User.objects.get().username == "author"


@pytest.mark.parametrize("extra", ["document", "user"])
def test_a_database_in_use_is_refused_and_left_alone(db, tmp_path, extra):
    make_user("author")
    path = tmp_path / "a.json"
    export(path)
    if extra == "document":
        make_document(owner=make_user("someone"))
    counts = row_counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_all", str(path))
    message = str(refused.value)
    held = "2 users, 1 document, 1 revision, 1 gate report)" if extra == "document" else "1 user)"
    assert message.startswith(f"This database is not empty (it holds {held}")
    assert "fresh database only" in message and "\n" not in message
    assert row_counts() == counts


def test_a_database_at_another_migration_is_refused(db, tmp_path):
    path = tmp_path / "a.json"
    archive = export(path)
    archive["migrations"]["prfaq"].append("0099_from_the_future")
    write(path, archive)
    with pytest.raises(CommandError, match=r"written by a database at .*0099_from_the_future"):
        call_command("import_all", str(path))


def write(path: Path, archive: dict, *, exported_at: str = "2026-01-01T00:00:00+00:00") -> None:
    """An archive laid out as export_all lays it out."""
    objects = archive.pop("objects")
    header = json.dumps({"exported_at": exported_at, **archive}, ensure_ascii=False)
    rows = ",\n".join(json.dumps(o, ensure_ascii=False) for o in objects)
    path.write_text(f'{header[:-1]}, "objects": [\n{rows}\n]}}\n', encoding="utf-8")


def damage(path: Path, how: str) -> Path:
    """A copy of a good archive, damaged in one way."""
    raw = path.read_bytes()
    bad = path.with_name(f"bad-{how}.json")
    archive = json.loads(raw)
    match how:
        case "missing":
            return path.with_name("no-such-file.json")
        case "empty":
            bad.write_bytes(b"")
        case "not_json":
            bad.write_bytes(b"\x00\xffThis is a Word document\n")
        case "loaddata_fixture":
            bad.write_text(json.dumps(archive["objects"]))
        case "wrong_version":
            archive["version"] = 2
            write(bad, archive)
        case "truncated":
            bad.write_bytes(raw[: len(raw) * 2 // 3])
        case "truncated_gzip":
            bad = bad.with_suffix(".json.gz")
            bad.write_bytes(gzip.compress(raw)[:-200])
        case "a_row_missing":
            del archive["objects"][-1]
            write(bad, archive)
        case "foreign_model":
            archive["objects"].append({"model": "sessions.session", "pk": "x", "fields": {}})
            write(bad, archive)
        case "bad_value":
            revision = next(o for o in archive["objects"] if o["model"] == "prfaq.revision")
            revision["fields"]["created_at"] = "last Tuesday"
            write(bad, archive)
        case "dangling_reference":
            revision = next(o for o in archive["objects"] if o["model"] == "prfaq.revision")
            revision["fields"]["document"] = 999_999
            write(bad, archive)
        case "unknown_field":
            user = next(o for o in archive["objects"] if o["model"] == "prfaq.user")
            user["fields"]["shoe_size"] = 44
            write(bad, archive)
    return bad


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("missing", "no-such-file.json: no such file."),
        ("empty", "is not a backup written by export_all."),
        ("not_json", "is not a backup written by export_all."),
        ("loaddata_fixture", "is not a backup written by export_all."),
        (
            "wrong_version",
            "is in backup format version 2; this version of PR/FAQ studio reads version 1.",
        ),
        ("truncated", "is (damaged or )?cut short"),
        ("truncated_gzip", "is damaged or cut short after line"),
        ("a_row_missing", r"holds (\d+) reviews.event rows but its header announces (?!\1)\d+"),
        ("foreign_model", r"line \d+ is not a row of a model this version of PR/FAQ studio backs"),
        ("bad_value", "line \\d+ cannot be restored: .*\u201clast Tuesday\u201d value has an"),
        ("dangling_reference", "The archive's rows do not hold together: .*999999"),
        ("unknown_field", r"line \d+ cannot be restored: User has no field named 'shoe_size'"),
    ],
)
def test_a_bad_archive_is_refused_in_one_line_and_nothing_is_written(tmp_path, how, message):
    author = make_user("author")
    document = make_document(owner=author, content=full_content())
    for text in ("One.", "Two.", "Three."):
        edit(document, author, text)
    good = tmp_path / "good.json"
    export(good)
    bad = damage(good, how)
    empty_database()
    with pytest.raises(CommandError) as refused:
        call_command("import_all", str(bad))
    assert re.search(message, str(refused.value))
    assert "\n" not in str(refused.value)
    assert not any(n for label, n in row_counts().items() if not label.startswith("auth."))


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """Run manage.py as an operator would, against another database."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_commands_exit_1_with_one_line_and_no_traceback(db, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    missing = manage("import_all", str(tmp_path / "nothing.json"), database_url=url)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        f"CommandError: {tmp_path / 'nothing.json'}: no such file."
    ]
    unwritable = manage("export_all", str(tmp_path / "no" / "dir.json"), database_url=url)
    assert unwritable.returncode == 1 and "Traceback" not in unwritable.stderr
    assert "cannot be written: No such file or directory." in unwritable.stderr


NEW_ROWS = """
from prfaq.models import User
from reviews.models import Thread
from reviews.workflow import start_document
from prfaq.document_templates import TEMPLATES
author = User.objects.get(username="author")
document = start_document(owner=author, title="After the restore", template=TEMPLATES["prfaq"])
Thread.start(document=document, revision=document.current_revision, section="problem",
             quote="", by=author, body="Still works?")
print(document.pk, document.current_revision.pk)
from django.core.management import call_command
call_command("check_integrity")
"""


def postgres_admin_url() -> str:
    """Where to create the round trip's PostgreSQL database: the suite's server, or local."""
    url = os.environ.get("DATABASE_URL", "")
    return (
        url
        if url.startswith(("postgres://", "postgresql://"))
        else ("postgres://postgres@127.0.0.1:5432/postgres")
    )


def fresh_postgres() -> str:
    """Create an empty database for the round trip; skip if PostgreSQL cannot be reached."""
    import psycopg

    config = dj_database_url.parse(postgres_admin_url())
    params = {
        "host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres", "password": config["PASSWORD"] or None,
    }  # fmt: skip
    try:
        admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {params['host']}:{params['port']}: {exc}")
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {ROUNDTRIP_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {ROUNDTRIP_DATABASE}")
    credentials = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgres://{credentials}@{params['host']}:{params['port']}/{ROUNDTRIP_DATABASE}"


def drop_postgres() -> None:
    import psycopg

    config = dj_database_url.parse(postgres_admin_url())
    with psycopg.connect(
        dbname="postgres", autocommit=True, host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432, user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
    ) as admin:  # fmt: skip
        admin.execute(f"DROP DATABASE IF EXISTS {ROUNDTRIP_DATABASE} WITH (FORCE)")


def restore_elsewhere(archive: Path, database_url: str, out: Path) -> None:
    """migrate, import_all and export_all against a fresh database; then it is consistent
    and takes new rows."""
    for args in (("migrate", "-v0"), ("import_all", str(archive)), ("export_all", str(out))):
        done = manage(*args, database_url=database_url)
        assert done.returncode == 0, f"{args[0]} on {database_url}: {done.stderr[-3000:]}"
    new = manage("shell", "-v0", "-c", NEW_ROWS, database_url=database_url)
    assert new.returncode == 0, new.stderr
    ids, consistent = new.stdout.splitlines()
    assert consistent == "Everything is consistent."
    document_pk, revision_pk = map(int, ids.split())
    exported = load(out)
    assert document_pk > max(o["pk"] for o in exported["objects"] if o["model"] == "prfaq.document")
    assert revision_pk > max(o["pk"] for o in exported["objects"] if o["model"] == "prfaq.revision")


def test_round_trip_across_sqlite_and_postgresql_loses_nothing(db, tmp_path):
    """SQLite → PostgreSQL → SQLite when the suite runs on SQLite; PostgreSQL → SQLite →
    PostgreSQL when it runs on PostgreSQL: both engines, in each run."""
    postgres_url = fresh_postgres()
    make_everything()
    archive = tmp_path / "original.json.gz"
    original = export(archive)
    targets = {"postgresql": postgres_url, "sqlite": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
    order = ["postgresql", "sqlite"] if connection.vendor == "sqlite" else ["sqlite", "postgresql"]
    try:
        for engine in order:
            out = tmp_path / f"from-{engine}.json"
            restore_elsewhere(archive, targets[engine], out)
            assert load(out) == original, f"the archive changed on its way through {engine}"
            archive = out
    finally:
        drop_postgres()
