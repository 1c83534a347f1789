"""Time the benchmark's pages in-process, and profile one of them.

    DATABASE_URL=sqlite:////tmp/prfaq-bench-100.sqlite3 uv run python bench/pages.py
        [--repeat 50] [--page "read view"] [--profile] [--queries]

Runs against an already seeded database (``seed_scale --big``; ``bench/load.py`` leaves
one per size, ``/tmp/prfaq-bench-<size>.sqlite3``) with production
settings (DEBUG off, persistent connections), signed in as the big document's
author, through Django's test client: the whole middleware stack, no HTTP
server, no wrk. It counts this process's CPU time, not the clock, so other
work on a busy machine hardly moves the figures; on SQLite that includes the
database's work. On PostgreSQL (on this machine) it also reports the server
process's CPU time for each request's queries, read from ``/proc``. ``--profile``
runs pyinstrument over the named page's loop and prints where the time goes;
``--queries`` prints the SQL each page runs.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.update(
    DEBUG=os.environ.get("BENCH_DEBUG", "0"),
    SECRET_KEY="bench-only-" + "k" * 50,
    ALLOWED_HOSTS="127.0.0.1,testserver",
    SECURE_SSL_REDIRECT="0",
    CONN_MAX_AGE="600",
    EMAIL_HOST="",
    LOG_LEVEL="ERROR",
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # the app and its reference

import django  # noqa: E402

django.setup()
logging.getLogger("django.request").setLevel(logging.ERROR)  # the 409s are expected

from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.load import (  # noqa: E402
    BUSY_THREAD,
    pages,
    reference_pages,
    saving_drafts,
    saving_fields,
)
from prfaq.models import Document  # noqa: E402
from reviews.models import ReviewRound  # noqa: E402


def ids() -> dict:
    big = Document.objects.get(title__contains="3,000-word")
    round_ = ReviewRound.objects.select_related("document").first()
    return {
        "big": big.pk,
        "version": big.version,
        "round_doc": round_.document_id,
        "round": round_.number,
        "thread": big.threads.first().pk,
        "after": big.threads.first().comments.order_by("-pk").values_list("pk", flat=True)[0],
        "csrf": _get_new_csrf_string(),
        "owner": big.owner,
    }


def saving_autosave(data: dict, pk: int):
    """An autosave of document ``pk`` that saves: the current version, one section changed
    and posted alone, as the editor does (the text before the request; not timed)."""
    from urllib.parse import urlencode

    document = Document.objects.get(pk=pk)
    edits = iter(range(10**9))

    def body() -> str:
        version = Document.objects.values_list("version", flat=True).get(pk=pk)
        fields = saving_fields(document, f"Edit {next(edits)}.")
        return urlencode(fields | {"base_version": version, "csrfmiddlewaretoken": data["csrf"]})

    return body


def seeded_draft(owner) -> int:
    """The first of the drafts the benchmark's saving autosave row saves, shared with
    ``owner`` (``bench.load.prepare_saving``)."""
    draft = saving_drafts().first()
    draft.collaborators.add(owner)
    return draft.pk


def up_to_date(thread: int, body: str, behind: int = 0):
    """A reply from a page that shows the thread up to its newest comment but ``behind``
    (as a browser's reply box says after each reply; wrk.lua reads it from each answer,
    and under wrk's 16 connections a page is about 15 comments behind)."""
    import re

    from reviews.models import Comment

    def body_of() -> str:
        newest = Comment.objects.filter(thread=thread).order_by("-pk").values_list("pk", flat=True)
        seen = list(newest[: behind + 1])[-1]  # or the first, in a thread not that long yet
        return re.sub(r"after=\d+", f"after={seen}", body)

    return body_of


def _server_process() -> Path | None:
    """PostgreSQL on this machine: the stat file of this connection's server process."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = Path(f"/proc/{pid}/stat")
    return stat if stat.exists() else None  # not on a server on another machine


def _server_cpu(stat: Path) -> float:
    """The server process's CPU time so far, in ms (Linux)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def request(client: Client, path: str, body: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    if body:
        return client.post(
            path, body, content_type="application/x-www-form-urlencoded", headers=headers
        )
    return client.get(path, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--page", default="", help="only pages whose name contains this")
    parser.add_argument("--profile", action="store_true", help="pyinstrument over the loop")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--cprofile", action="store_true", help="cProfile, by own time")
    options = parser.parse_args()
    data = ids()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(data["owner"])
    autosave = f"/documents/{data['big']}/autosave/"
    measured = [
        (name, path, up_to_date(data["thread"], body) if "after=" in body else body, htmx)
        for name, path, body, htmx in [*pages(data), *reference_pages(data)]
    ]
    path, body = next((path, body) for name, path, body, _ in pages(data) if name == BUSY_THREAD)
    measured.append(("comment POST, 15 behind", path, up_to_date(data["thread"], body, 15), True))
    measured.append(("autosave POST (saves)", autosave, saving_autosave(data, data["big"]), True))
    draft = seeded_draft(data["owner"])
    measured.append(
        (
            "autosave POST (saves a draft)",
            f"/documents/{draft}/autosave/",
            saving_autosave(data, draft),
            True,
        )
    )
    for name, path, body, htmx in measured:
        if options.page and options.page not in name:
            continue
        body_of = body if callable(body) else lambda body=body: body
        response = request(client, path, body_of(), htmx)  # warm the caches a server would have
        sent = body_of()
        with CaptureQueriesContext(connection) as captured:
            request(client, path, sent, htmx)
        queries = list(captured)  # the next request empties the log
        times, walls = [], []
        profiler = None
        if options.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        if options.cprofile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        stat, server = _server_process(), 0.0
        for _ in range(options.repeat):
            sent = body_of()
            started, wall = time.process_time(), time.perf_counter()
            served = _server_cpu(stat) if stat else 0.0  # the request's queries, not body_of's
            request(client, path, sent, htmx)
            times.append(1000 * (time.process_time() - started))
            walls.append(1000 * (time.perf_counter() - wall))
            server += _server_cpu(stat) - served if stat else 0.0
        server = server / options.repeat if stat else None
        if options.profile:
            profiler.stop()
        if options.cprofile:
            profiler.disable()
        print(
            f"{name:<32} {response.status_code} {len(response.content) / 1024:7.1f} kB "
            f"{len(queries):3} queries  CPU median {statistics.median(times):7.2f} ms  "
            f"min {min(times):7.2f} ms  wall median {statistics.median(walls):7.2f} ms"
            + (f"  server CPU {server:5.2f} ms" if server is not None else "")
        )
        if options.queries:
            for query in queries:
                print("    ", query["sql"][:300])
        if options.profile:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if options.cprofile:
            import pstats

            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
