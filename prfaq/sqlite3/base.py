"""Django's SQLite backend, with writers queued by the kernel instead of by polling.

SQLite lets one transaction write at a time. A writer that finds the database locked
waits in SQLite's busy handler, which sleeps and tries again (1, 2, 5, 10 ms and longer):
under a few concurrent saves the lock was often free while every waiter slept, and a
comment POST served about 60% of what its CPU time allowed, with 0.5 to 1 s tails.

Here each transaction (``atomic`` starts them with ``BEGIN IMMEDIATE``, so every one
may write) first takes an exclusive ``flock`` on a file beside the database, and lets
it go at its commit or rollback: the next writer, in any process, wakes the moment it
is free, in turn. The kernel releases the lock of a process that dies. SQLite's own
locking is unchanged underneath, and statements outside a transaction do not queue
here. Without ``fcntl`` (Windows), for an in-memory database, or where the lock file
cannot be opened (a warning says so), it is Django's backend as it is.
"""

import logging

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    _writers = None  # the open lock file, while this connection's transaction holds it

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
            writers = open(path, "a+b")  # noqa: SIM115
        except OSError as error:  # a read-only directory: SQLite's own locking still holds
            logger.warning("Writers do not queue: cannot open %s (%s).", path, error)
            return
        try:
            fcntl.flock(writers, fcntl.LOCK_EX)
        except BaseException:
            writers.close()
            raise
        self._writers = writers

    def _done_writing(self) -> None:
        writers, self._writers = self._writers, None
        if writers is not None:
            writers.close()  # closing the file releases its lock
