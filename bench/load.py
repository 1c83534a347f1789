"""Load benchmark: seeded data, gunicorn in production settings, wrk, a table of figures.

    uv run python bench/load.py [--sizes 100,10000] [--databases sqlite,postgresql]
                                [--seconds 8] [--port 8860] [--database-url URL]
                                [--without-security-middleware | --compare-security]
                                [--without-page-cache | --compare-page-cache]
                                [--pages "dashboard,POST"] [--i-know]

For each database and size it seeds a fresh database (seed_scale, with the
3,000-word document that has 300 threads and 1,000 comments), serves the app
with gunicorn (3 sync workers, DEBUG off, whitenoise, persistent connections)
on 127.0.0.1, one server per size on ports --port and up, drives signed-in load
with `wrk -t2 -c16` page by page, each page on one size right after the other
(the order turning from page to page; every server idle before each), and
prints, per page, requests/s and p50/p95/p99 latency next to the empty health
view of the same server, as a ratio. The table goes to bench/RESULTS.md with the
machine, its load, the date and the commit. Everything it starts, it stops. Needs Debian's wrk.

Beside the app's pages it measures one reference of its own, "least write POST"
(bench/urls.py, served through bench/settings.py: production settings plus that URL): a
signed-in POST that writes one row in one transaction, the least any change costs here.

PostgreSQL: each size's database is named after the one in --database-url (default
$BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/prfaq_bench) with the size
appended (prfaq_bench_100, prfaq_bench_10000), dropped and created. SQLite: files
/tmp/prfaq-bench-<size>.sqlite3, replaced.
--without-security-middleware serves bench/settings_without_security.py (no CSP,
no django-axes); --compare-security measures both on the same data, alternately,
and writes a with/without table instead.

The page cache (prfaq.pagecache) serves a page seen again, with nothing changed, without
rendering it; wrk asks for the same page over and over, so its figures are those of pages
seen again. --without-page-cache serves with PAGE_CACHE=0 (every request renders the page:
the first visit, or the first after a change); --compare-page-cache measures both on the
same data and writes a table for each.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PORT = 8860
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prfaq_bench")
WITH_REFERENCE = "bench.settings"  # production settings and the reference page's URL
WITHOUT_SECURITY = "bench.settings_without_security"
ONLY: list[str] = []  # --pages: measure only the pages whose names contain one of these


def selected(name: str) -> bool:
    """Whether --pages asks for ``name`` (the empty view is always measured)."""
    return not ONLY or name == "empty view (health)" or any(word in name for word in ONLY)


def log(message: str) -> None:
    """Where the run is and how long it took so far, on stderr."""
    print(f"[{time.monotonic() - STARTED:6.0f}s] {message}", file=sys.stderr, flush=True)


STARTED = time.monotonic()


def run(*args: str, env: dict, check: bool = True) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def manage(*args: str, env: dict) -> str:
    return run(sys.executable, "manage.py", *args, env=env)


def fresh_database(kind: str, env: dict, size: int) -> dict:
    """A new, migrated database for ``size`` documents: each size has its own, so that the
    sizes are served side by side and measured page by page, one after the other."""
    env = dict(env)
    if kind == "sqlite":
        path = Path(f"/tmp/prfaq-bench-{size}.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        url = urlparse(PG_URL)
        name = f"{url.path.lstrip('/')}_{size}"
        if not re.fullmatch(r"[a-z]\w*", name):
            sys.exit(f"{name!r} is not a database name the benchmark will drop and create.")
        psql = ["psql", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
                "-U", url.username or "postgres", "-d", "postgres", "-q", "-c"]  # fmt: skip
        run(*psql, f"DROP DATABASE IF EXISTS {name}", env=env)
        run(*psql, f"CREATE DATABASE {name}", env=env)
        env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    manage("migrate", "-v0", env=env)
    return env


SAVING_DOCUMENTS = 16  # one per wrk connection: each saves its own, as editors do
SAVES_FILE = Path("/tmp/prfaq-bench-saves.txt")


def autosave_fields(document) -> dict:
    """The editor's fields for ``document``'s current text, as a full autosave posts them."""
    from prfaq.forms import editor_data

    revision = document.current_revision
    return editor_data(
        title=revision.title, content=revision.as_content(), outline=document.outline
    )


def saving_fields(document, edit: str) -> dict:
    """What the editor posts to save ``edit`` typed at the end of ``document``'s problem
    paragraph: that field alone, as app.js sends only the fields changed since the last
    save landed (without ``base_version``)."""
    content = document.current_revision.as_content()
    return {"section_problem": f"{content.section('problem')} {edit}"}


def saving_drafts():
    """The seeded drafts the saving autosave row saves, in the order it takes them."""
    from prfaq.models import Document

    return (
        Document.objects.filter(title__startswith="[seed]", status="draft", restricted=False)
        .exclude(title__contains="3,000-word")
        .order_by("pk")
    )


def prepare_saving(user) -> str:
    """Seeded drafts for the saving autosave, shared with ``user``; for each, a line of
    id, version and the form wrk.lua posts, with BENCHVERSION and BENCHEDIT to fill in.

    Document k's version is moved to k million, so an autosave's answer (the new version)
    says which document it was: wrk.lua keeps each document's version from its answers.
    Run inside the server's environment (manage.py shell)."""
    from urllib.parse import urlencode

    from prfaq.models import Document

    drafts = list(saving_drafts().select_related("current_revision")[:SAVING_DOCUMENTS])
    lines = []
    for k, document in enumerate(drafts, start=1):
        document.collaborators.add(user)
        Document.objects.filter(pk=document.pk).update(version=k * 1_000_000)
        fields = saving_fields(document, "Edit BENCHEDIT.")
        form = urlencode(fields | {"base_version": "BENCHVERSION"})
        lines.append(f"{document.pk}\t{k * 1_000_000}\t{form}\n")
    SAVES_FILE.write_text("".join(lines))
    return str(SAVES_FILE)


def saving_forms(env: dict) -> str:
    """``prepare_saving`` for the big document's author (the signed-in person), afresh
    before each measurement: the drafts' versions start again at k million."""
    code = (
        "from bench.load import prepare_saving; from prfaq.models import Document; "
        "print(prepare_saving(Document.objects.get(title__contains='3,000-word').owner))"
    )
    return manage("shell", "-v0", "-c", code, env=env).strip().splitlines()[-1]


REPLYING_THREADS = 16  # one per wrk connection: sixteen people, each in a discussion of their own


def replying_threads(document) -> str:
    """Open threads of ``document`` that take replies, with the newest comment of each, as
    ``pk:newest`` pairs for bench/wrk.lua (BENCH_REPLIES): sixteen people replying at
    once, each in a thread of their own, as a document's reviewers discuss it."""
    from django.db.models import Max

    threads = (
        document.threads.filter(resolved_at__isnull=True, comments__deleted_at__isnull=True)
        .annotate(newest=Max("comments__pk"))
        .order_by("pk")[:REPLYING_THREADS]
    )
    return ",".join(f"{thread.pk}:{thread.newest}" for thread in threads)


def session_for(env: dict) -> tuple[str, str, dict]:
    """A signed-in session and CSRF token for a seeded leader, and the ids pages need."""
    code = (
        "import json; from django.contrib.auth import get_user_model, SESSION_KEY, "
        "BACKEND_SESSION_KEY, HASH_SESSION_KEY; from django.contrib.sessions.backends.db import "
        "SessionStore; from django.middleware.csrf import _get_new_csrf_string; "
        "from prfaq.models import Document; from reviews.models import ReviewRound; "
        "from bench.load import replying_threads; "
        "big = Document.objects.get(title__contains='3,000-word'); u = big.owner; "
        "s = SessionStore(); s[SESSION_KEY] = str(u.pk); "
        "s[BACKEND_SESSION_KEY] = 'reviews.backends.UserBackend'; "
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); "
        "r = ReviewRound.objects.select_related('document').first(); "
        "print(json.dumps({'session': s.session_key, 'csrf': _get_new_csrf_string(), "
        "'big': big.pk, 'version': big.version, 'round_doc': r.document_id, 'round': r.number, "
        "'thread': big.threads.first().pk, "
        "'after': big.threads.first().comments.order_by('-pk').values_list('pk', flat=True)[0], "
        "'replies': replying_threads(big)}))"
    )
    data = json.loads(manage("shell", "-v0", "-c", code, env=env).strip().splitlines()[-1])
    cookie = f"sessionid={data['session']}; csrftoken={data['csrf']}"
    return cookie, data["csrf"], data


def serve(env: dict, port: int, *, without_security: bool = False, page_cache: bool = True):
    env = dict(env, DJANGO_SETTINGS_MODULE=WITHOUT_SECURITY if without_security else WITH_REFERENCE)
    env = dict(env, PAGE_CACHE="1" if page_cache else "0")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "prfaq.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        if server.poll() is not None:  # it exited: the port is taken, or the app is broken
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not start on port {port}")


def stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except ProcessLookupError:  # it had already exited
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def worker_memory_mb(server: subprocess.Popen) -> float:
    children = run("pgrep", "-P", str(server.pid), env=os.environ, check=False).split()
    rss = []
    for pid in children:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            if match:
                rss.append(int(match.group(1)) / 1024)
    return max(rss, default=0.0)


def wrk(
    port: int, path: str, seconds: int, cookie: str, csrf: str, body: str = "",
    htmx: bool = False, saves: str = "", replies: str = "",
):  # fmt: skip
    env = dict(os.environ, BENCH_COOKIE=cookie, BENCH_CSRF=csrf, BENCH_HTMX="1" if htmx else "")
    if body:
        env |= {"BENCH_METHOD": "POST", "BENCH_BODY": body}
    if replies:
        env |= {"BENCH_REPLIES": replies}
    if saves:
        env |= {"BENCH_METHOD": "POST", "BENCH_SAVES": saves}
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(ROOT / "bench" / "wrk.lua"),
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, env=env,
    ).stdout  # fmt: skip
    figures = json.loads(out.split("BENCH ", 1)[1].splitlines()[0])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def wait_until_idle(port: int) -> None:
    """Sync workers finish what wrk left queued; measure the next page only after that."""
    for _ in range(300):
        started = time.monotonic()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60)
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


# Sixteen people replying in one thread: each answer brings the fifteen comments the
# others posted since the replier's last one (the page catching up).
BUSY_THREAD = "comment POST (one thread, 16 writers)"


def pages(ids: dict) -> list[tuple[str, str, str, bool]]:
    """(name, path, POST body, sent by htmx) for every page measured."""
    big, doc = ids["big"], ids["round_doc"]
    # One version behind the document's: every request is refused (409), none saves.
    autosave = (
        f"title=%5Bseed%5D+The+3%2C000-word+PR%2FFAQ&base_version={ids['version'] - 1}"
        "&faq-TOTAL_FORMS=0&faq-INITIAL_FORMS=0&csrfmiddlewaretoken=" + ids["csrf"]
    )
    return [
        ("empty view (health)", "/healthz", "", False),
        ("dashboard", "/", "", False),
        ("search", "/?q=tide+alerts", "", False),
        ("read view, 300 threads", f"/documents/{big}/", "", False),
        ("its threads, lazily (htmx)", f"/documents/{big}/sections/problem/threads/", "", True),
        ("editor, 3,000 words", f"/documents/{big}/edit/", "", False),
        ("history", f"/documents/{big}/history/", "", False),
        ("review page", f"/documents/{doc}/rounds/{ids['round']}/", "", False),
        ("autosave POST (stale: 409)", f"/documents/{big}/autosave/", autosave, True),
        (BUSY_THREAD, f"/documents/{big}/threads/{ids['thread']}/reply/",
         f"body=Benchmark+reply&after={ids['after']}&csrfmiddlewaretoken={ids['csrf']}", True),
    ]  # fmt: skip


SAVING = f"autosave POST (saves; {SAVING_DOCUMENTS} drafts)"
REPLIES = f"comment POST ({REPLYING_THREADS} threads, one writer each)"
# Not a page of the app (bench/urls.py): a signed-in POST writing one row in one transaction.
LEAST_WRITE = "reference: least write POST (1 insert)"


def reference_pages(ids: dict) -> list[tuple[str, str, str, bool]]:
    return [(LEAST_WRITE, "/bench/least-write/", f"csrfmiddlewaretoken={ids['csrf']}", True)]


@dataclass
class Site:
    """One size's seeded database, its signed-in session, and the server measured on it."""

    database: str
    size: int
    env: dict
    ids: dict
    cookie: str
    port: int
    seed_seconds: float
    server: subprocess.Popen | None = None

    @property
    def label(self) -> str:
        return f"{self.database} {self.size:,}"


def page_names(ids: dict) -> list[str]:
    """The pages --pages asks for, in the order they are measured: the saving autosave
    last, as every save changes what the other pages would show."""
    names = [name for name, *_ in [*pages(ids), *reference_pages(ids)]] + [REPLIES, SAVING]
    return [name for name in names if selected(name)]


def measure_page(site: Site, name: str, seconds: int) -> dict:
    ids, csrf = site.ids, site.ids["csrf"]
    if name == REPLIES:
        path = f"/documents/{ids['big']}/threads/{ids['thread']}/reply/"  # its thread replaced
        body = f"body=Benchmark+reply&after=0&csrfmiddlewaretoken={csrf}"
        return wrk(site.port, path, seconds, site.cookie, csrf, body, htmx=True,
                   replies=ids["replies"])  # fmt: skip
    if name == SAVING:
        saves = saving_forms(site.env)
        return wrk(site.port, "/", seconds, site.cookie, csrf, htmx=True, saves=saves)
    path, body, htmx = next(
        (path, body, htmx) for page, path, body, htmx in [*pages(ids), *reference_pages(ids)]
        if page == name
    )  # fmt: skip
    return wrk(site.port, path, seconds, site.cookie, csrf, body, htmx)


def measure(sites: list[Site], seconds: int, suffix: str) -> dict[int, dict]:
    """Each page on every site, one site right after the other, the first site first on
    one page and last on the next: a slow minute of the machine weighs on both sizes of
    the same page alike, and not on one size's whole table."""
    results: dict[int, dict] = {site.size: {} for site in sites}
    for turn, name in enumerate(page_names(sites[0].ids)):
        for site in sites if turn % 2 == 0 else sites[::-1]:
            for each in sites:  # what wrk left queued on either server, finished first
                wait_until_idle(each.port)
            results[site.size][name] = figures = measure_page(site, name, seconds)
            log(f"{site.label}{suffix}: {name}: {figures['rps']:.0f} req/s")
    return results


def seeded_site(database: str, size: int, port: int, base: dict, options) -> Site:
    log(f"{database} {size:,}: a fresh database")
    env = fresh_database(database, base, size)
    started = time.monotonic()
    args = ["seed_scale", "--documents", str(size), "--big",
            "--comments-per-document", str(options.comments_per_document)]  # fmt: skip
    log(f"{database} {size:,}: seeding")
    manage(*args, *(["--i-know"] if options.i_know else []), env=env)
    seconds = time.monotonic() - started
    log(f"{database} {size:,}: seeded in {seconds:.0f}s")
    cookie, csrf, ids = session_for(env)
    ids["csrf"] = csrf
    return Site(database, size, env, ids, cookie, port, seconds)


def main() -> None:
    global PG_URL, PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--comments-per-document", type=int, default=30)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--database-url", default=PG_URL, help="the PostgreSQL database to use")
    security = parser.add_mutually_exclusive_group()
    security.add_argument("--without-security-middleware", action="store_true")
    security.add_argument("--compare-security", action="store_true",
                          help="with and without the CSP and django-axes middleware")  # fmt: skip
    caching = parser.add_mutually_exclusive_group()
    caching.add_argument("--without-page-cache", action="store_true",
                         help="every request renders its page (PAGE_CACHE=0)")  # fmt: skip
    caching.add_argument("--compare-page-cache", action="store_true",
                         help="with and without the page cache, a table each")  # fmt: skip
    parser.add_argument("--pages", default="", help="only pages whose names contain one of "
                        "these (comma-separated), beside the empty view")  # fmt: skip
    parser.add_argument("--i-know", action="store_true", help="passed on to seed_scale")
    options = parser.parse_args()
    PORT, PG_URL = options.port, options.database_url
    ONLY[:] = [word for word in options.pages.split(",") if word]
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    base = dict(
        os.environ, DEBUG="0", SECRET_KEY="bench-only-" + "k" * 50, ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0", CONN_MAX_AGE="600", EMAIL_HOST="", LOG_LEVEL="ERROR",
    )  # fmt: skip
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    base.pop("DJANGO_SETTINGS_MODULE", None)
    load_before = os.getloadavg()
    log("collectstatic")
    run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", env=base)
    if options.compare_page_cache and options.compare_security:
        sys.exit("--compare-page-cache and --compare-security: one comparison at a time.")
    caches = [True, False] if options.compare_page_cache else [not options.without_page_cache]
    rows, comparison, notes = {cache: [] for cache in caches}, [], []
    runs = [False, True] if options.compare_security else [options.without_security_middleware]
    sizes = [int(size) for size in options.sizes.split(",")]
    if len(set(sizes)) != len(sizes):
        sys.exit("--sizes: each size once (each has a database of its own).")
    for database in options.databases.split(","):
        sites = [
            seeded_site(database, size, PORT + index, base, options)
            for index, size in enumerate(sizes)
        ]
        measured = {}
        for without, cache in ((w, c) for w in runs for c in caches):
            suffix = (" without security" if without else "") + (
                "" if cache else " without the page cache"
            )
            try:
                for site in sites:
                    site.server = serve(
                        site.env, site.port, without_security=without, page_cache=cache
                    )
                measured[without, cache] = measure(sites, options.seconds, suffix)
                memory = {site.size: worker_memory_mb(site.server) for site in sites}
            finally:
                for site in sites:
                    if site.server is not None:
                        stop(site.server)  # never raises: every server is stopped
                        site.server = None
            for site in sites:
                notes.append(
                    f"{site.label}{suffix}: seeded in {site.seed_seconds:.0f}s, largest worker "
                    f"RSS after the run {memory[site.size]:.0f} MB"
                )
                log(notes[-1])
        for site in sites:
            for cache in caches:
                results = measured[runs[0], cache][site.size]
                baseline = results["empty view (health)"]["rps"]
                for name, figures in results.items():
                    rows[cache].append(
                        (database, site.size, name, figures, figures["rps"] / baseline)
                    )
            if options.compare_security:
                for name in measured[False, caches[0]][site.size]:
                    comparison.append(
                        (database, site.size, name, measured[False, caches[0]][site.size][name],
                         measured[True, caches[0]][site.size][name])
                    )  # fmt: skip
    load_after = os.getloadavg()
    machine = (
        f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
        f"(1-minute; {os.cpu_count()} cores)"
    )
    if options.compare_security:
        table = render_comparison(comparison)
        title = "CSP and django-axes middleware: with and without"
    elif options.compare_page_cache:
        table = (
            "With the page cache (wrk's figures: a page seen again, nothing changed):\n\n"
            f"{render(rows[True])}\n\n"
            "Without the page cache (`PAGE_CACHE=0`: every request renders its page, as a first "
            f"visit or the first after a change does):\n\n{render(rows[False])}"
        )
        title = "with and without the page cache"
    else:
        table = render(rows[caches[0]])
        title = ", ".join(
            words for words, on in (
                ("without the CSP and django-axes middleware", options.without_security_middleware),
                ("without the page cache", options.without_page_cache),
            ) if on
        )  # fmt: skip
    text = f"{table}\n\n" + "\n".join(f"* {n}" for n in notes)
    print(text)
    record(text, title=title, machine=machine)
    log("done")


def render_comparison(rows) -> str:
    lines = [
        "| database | documents | page | req/s with | req/s without | difference | p95 ms with "
        "| p95 ms without |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for database, size, name, with_, without in rows:
        difference = 100 * (with_["rps"] - without["rps"]) / without["rps"] if without["rps"] else 0
        lines.append(
            f"| {database} | {size:,} | {name} | {with_['rps']:.0f} | {without['rps']:.0f} | "
            f"{difference:+.1f}% | {with_['p95']:.1f} | {without['p95']:.1f} |"
        )
    return "\n".join(lines)


def render(rows) -> str:
    lines = [
        "| database | documents | page | req/s | % of empty view | p50 ms | p95 ms | p99 ms "
        "| errors |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for database, size, name, f, ratio in rows:
        lines.append(
            f"| {database} | {size:,} | {name} | {f['rps']:.0f} | {100 * ratio:.1f}% | "
            f"{f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} | {f['errors']} |"
        )
    return "\n".join(lines)


def record(text: str, *, title: str, machine: str) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    cpus = os.cpu_count()
    header = (
        f"## Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}"
        + (f": {title}" if title else "")
        + "\n\n"
        f"Machine: {platform.machine()}, {cpus} cores, Python {platform.python_version()}; "
        f"{machine}; gunicorn 3 sync workers, `wrk -t2 -c16`, persistent connections.\n\n"
    )
    path = ROOT / "bench" / "RESULTS.md"
    previous = path.read_text() if path.exists() else "# Benchmark results\n"
    marker = "\n## Run of "
    head, _, rest = previous.partition(marker)
    path.write_text(f"{head.rstrip()}\n\n{header}{text}\n{marker}{rest}" if rest else
                    f"{head.rstrip()}\n\n{header}{text}\n")  # fmt: skip


if __name__ == "__main__":
    main()
