"""Django's SQLite backend, with writers taking turns on a file lock, not long sleeps.

SQLite lets one transaction write at a time. A writer that finds the database locked
waits in SQLite's busy handler, which sleeps and tries again after 1, 2, 5, 10, 15, 20,
25 ms and longer: under concurrent saves the lock was often free while every waiter
slept, and saving autosaves under wrk had p99s of 0.8 s.

Here each transaction (``atomic`` starts them with ``BEGIN IMMEDIATE``, so every one
may write) first takes an exclusive ``flock`` on a file beside the database, and lets
it go at its commit or rollback: the next writer, in any process, takes it within
0.25 ms of its release (a waiter tries again every 0.25 ms at most: under wrk, waiters
sleeping up to 2 ms left the lock free and both cores idle for a fifth of a saving
autosave's time), and gives up with "database is locked" after the database's timeout,
as SQLite would. The kernel releases the lock of a process that dies. SQLite's own
locking is unchanged underneath, and statements outside a transaction do not queue
here. Without ``fcntl`` (Windows), for an in-memory database, or where the lock file
cannot be opened or locked (a warning says so, once), it is Django's backend as it is.
"""

import logging
import os
import time
from functools import lru_cache

from django.db import OperationalError
from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


logger = logging.getLogger(__name__)

LONGEST_PAUSE = 0.00025  # seconds between a waiting writer's tries, at most


class DatabaseWrapper(base.DatabaseWrapper):
    _writers = None  # the lock file's descriptor, while this connection's transaction holds it

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=_Cursor)

    def _start_transaction_under_autocommit(self):
        self._queue_for_writing()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._done_writing()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._done_writing()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._done_writing()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._done_writing()

    def _queue_for_writing(self) -> None:
        if fcntl is None or self.is_in_memory_db() or self._writers is not None:
            return
        path = f"{self.settings_dict['NAME']}-writers.lock"
        try:
            # Read-only is enough to lock: a file another user made still works.
            writers = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
        except OSError as error:  # a read-only directory: SQLite's own locking still holds
            _cannot_queue(path, error)
            return
        try:
            self._wait_for_turn(writers, path)
        except BaseException:
            os.close(writers)
            raise
        self._writers = writers

    def _wait_for_turn(self, writers: int, path: str) -> None:
        """Take the lock, waiting at most the database's timeout, as SQLite would.

        Tried without blocking, then again after pauses of at most ``LONGEST_PAUSE`` (SQLite's
        busy handler sleeps up to 100 ms between tries): a blocking ``flock`` cannot give up.
        A waiter costs a few microseconds a try, about 1% of a core.
        """
        deadline = time.monotonic() + self.settings_dict["OPTIONS"].get("timeout", 5)
        pause = 0.0001
        while True:
            try:
                fcntl.flock(writers, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(2 * pause, LONGEST_PAUSE)
            except OSError as error:  # a file system without locks (some network mounts)
                _cannot_queue(path, error)
                return

    def _done_writing(self) -> None:
        writers, self._writers = self._writers, None
        if writers is not None:
            os.close(writers)  # closing the file releases its lock


class _Cursor(base.SQLiteCursorWrapper):
    """Django's cursor, turning each query's ``%s`` into SQLite's ``?`` once per query text
    (a regular expression over the whole SQL on every run, for every query, before)."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) <= _REMEMBERED_QUERY_CHARS:
            return _qmark_style(query)
        return super().convert_query(query, param_names=param_names)


_REMEMBERED_QUERY_CHARS = 4096  # not a bulk insert's thousands of placeholders


@lru_cache(maxsize=512)  # at most some 4 MB
def _qmark_style(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_warned: set[str] = set()


def _cannot_queue(path: str, error: OSError) -> None:
    if path not in _warned:
        _warned.add(path)
        logger.warning("SQLite writers do not queue: cannot lock %s (%s).", path, error)
