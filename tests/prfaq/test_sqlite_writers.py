"""SQLite writers take turns on a file lock (``prfaq.sqlite3``): concurrent transactions
wait their turn and all land, instead of sleeping in SQLite's busy handler or failing."""

import fcntl
import threading

import pytest
from django.db import OperationalError, connection

from prfaq.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the queue is SQLite's; PostgreSQL locks rows"
)


@pytest.fixture(autouse=True)
def own_databases(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def wrapper(path, *, timeout: float) -> DatabaseWrapper:
    settings = dict(connection.settings_dict)
    settings["NAME"] = str(path)
    settings["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": timeout}
    return DatabaseWrapper(settings, alias="writers")


def begin(db: DatabaseWrapper) -> None:
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)  # as atomic


def end(db: DatabaseWrapper, *, commit: bool = True) -> None:
    db.commit() if commit else db.rollback()
    db.set_autocommit(True)


def held(path) -> bool:
    with open(f"{path}-writers.lock", "a+b") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def test_a_transaction_holds_the_queue_until_its_commit_or_rollback(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = wrapper(path, timeout=5)
    db.cursor().execute("CREATE TABLE t (n INTEGER)")
    for commit in (True, False):
        begin(db)
        db.cursor().execute("INSERT INTO t VALUES (1)")
        assert held(path)
        end(db, commit=commit)
        assert not held(path)
    assert db.cursor().execute("SELECT COUNT(*) FROM t").fetchone() == (1,)
    begin(db)
    db.close()  # a connection closed mid-transaction lets the queue go too
    assert not held(path)


def test_concurrent_writers_all_land_one_at_a_time(tmp_path):
    path = tmp_path / "db.sqlite3"
    setup = wrapper(path, timeout=5)
    setup.cursor().execute("PRAGMA journal_mode=WAL")
    setup.cursor().execute("CREATE TABLE t (writer INTEGER, n INTEGER)")
    setup.close()
    failures = []

    def write(writer: int) -> None:
        db = wrapper(path, timeout=5)
        try:
            for _ in range(40):
                begin(db)
                seen = db.cursor().execute("SELECT COUNT(*) FROM t").fetchone()[0]
                db.cursor().execute("INSERT INTO t VALUES (%s, %s)", [writer, seen + 1])
                end(db)
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    check = wrapper(path, timeout=5)
    counts = [n for (n,) in check.cursor().execute("SELECT n FROM t ORDER BY n").fetchall()]
    assert counts == list(range(1, 241))  # each saw every write before its own
    check.close()


def test_without_a_lock_file_transactions_still_work(tmp_path, caplog):
    path = tmp_path / "db.sqlite3"
    (tmp_path / "db.sqlite3-writers.lock").mkdir()  # cannot be opened as a file
    db = wrapper(path, timeout=5)
    db.cursor().execute("CREATE TABLE t (n INTEGER)")
    begin(db)
    db.cursor().execute("INSERT INTO t VALUES (1)")
    end(db)
    assert db.cursor().execute("SELECT COUNT(*) FROM t").fetchone() == (1,)
    assert "SQLite writers do not queue" in caplog.text
    db.close()


def test_a_writer_waits_no_longer_than_the_databases_timeout(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = wrapper(path, timeout=0.2)
    db.cursor().execute("CREATE TABLE t (n INTEGER)")
    with open(f"{path}-writers.lock", "a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX)  # another process's long transaction
        with pytest.raises(OperationalError, match="database is locked"):
            begin(db)
    db.set_autocommit(True)
    assert not held(path)  # the refused writer kept nothing
    begin(db)
    db.cursor().execute("INSERT INTO t VALUES (1)")
    end(db)
    db.close()


def test_placeholders_become_sqlites_however_often_a_query_runs(tmp_path):
    """``%s`` is a parameter and ``%%`` a percent sign, the first time a query text runs
    and every time after (the converted text is remembered), and in a query too long to
    remember."""
    db = wrapper(tmp_path / "placeholders.sqlite3", timeout=1)
    try:
        with db.cursor() as cursor:
            for value in ("5", "7"):
                cursor.execute("SELECT %s || '%%', '%%s'", [value])
                assert cursor.fetchone() == (f"{value}%", "%s")
            long = "SELECT %s || '%%'" + " " * 9000
            cursor.execute(long, ["9"])
            assert cursor.fetchone() == ("9%",)
            cursor.execute("SELECT %(n)s || '%%'", {"n": "3"})
            assert cursor.fetchone() == ("3%",)
    finally:
        db.close()
