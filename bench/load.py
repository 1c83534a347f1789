"""Load benchmark: seeded data, gunicorn in production settings, wrk, a table of figures.

    uv run python bench/load.py [--sizes 100,10000] [--databases sqlite,postgresql]
                                [--seconds 8] [--i-know]

For each database and size it seeds a fresh database (seed_scale, with the
3,000-word document that has 300 threads and 1,000 comments), serves the app
with gunicorn (3 sync workers, DEBUG off, whitenoise, persistent connections)
on 127.0.0.1, drives signed-in load with `wrk -t2 -c16`, and prints, per page,
requests/s and p50/p95/p99 latency next to the empty health view of the same
server, as a ratio. The table goes to bench/RESULTS.md with the machine, the
date and the commit. Everything it starts, it stops. Needs Debian's wrk.
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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8799
PG_URL = "postgres://postgres@127.0.0.1:5432/prfaq_bench"


def run(*args: str, env: dict, check: bool = True) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def manage(*args: str, env: dict) -> str:
    return run(sys.executable, "manage.py", *args, env=env)


def fresh_database(kind: str, env: dict) -> dict:
    env = dict(env)
    if kind == "sqlite":
        path = Path("/tmp/prfaq-bench.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        run("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
            "DROP DATABASE IF EXISTS prfaq_bench", env=env)  # fmt: skip
        run("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
            "CREATE DATABASE prfaq_bench", env=env)  # fmt: skip
        env["DATABASE_URL"] = PG_URL
    manage("migrate", "-v0", env=env)
    return env


def session_for(env: dict) -> tuple[str, str, dict]:
    """A signed-in session and CSRF token for a seeded leader, and the ids pages need."""
    code = (
        "import json; from django.contrib.auth import get_user_model, SESSION_KEY, "
        "BACKEND_SESSION_KEY, HASH_SESSION_KEY; from django.contrib.sessions.backends.db import "
        "SessionStore; from django.middleware.csrf import _get_new_csrf_string; "
        "from prfaq.models import Document; from reviews.models import ReviewRound; "
        "big = Document.objects.get(title__contains='3,000-word'); u = big.owner; "
        "s = SessionStore(); s[SESSION_KEY] = str(u.pk); "
        "s[BACKEND_SESSION_KEY] = 'prfaq.backends.UserBackend'; "
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); "
        "r = ReviewRound.objects.select_related('document').first(); "
        "print(json.dumps({'session': s.session_key, 'csrf': _get_new_csrf_string(), "
        "'big': big.pk, 'version': big.version, 'round_doc': r.document_id, 'round': r.number, "
        "'thread': big.threads.first().pk}))"
    )
    data = json.loads(manage("shell", "-v0", "-c", code, env=env).strip().splitlines()[-1])
    cookie = f"sessionid={data['session']}; csrftoken={data['csrf']}"
    return cookie, data["csrf"], data


def serve(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "prfaq.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "3", "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
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


def wrk(path: str, seconds: int, cookie: str, csrf: str, body: str = "") -> dict:
    env = dict(os.environ, BENCH_COOKIE=cookie, BENCH_CSRF=csrf)
    if body:
        env |= {"BENCH_METHOD": "POST", "BENCH_BODY": body}
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(ROOT / "bench" / "wrk.lua"),
         f"http://127.0.0.1:{PORT}{path}"],
        capture_output=True, text=True, env=env,
    ).stdout  # fmt: skip
    figures = json.loads(out.split("BENCH ", 1)[1].splitlines()[0])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def wait_until_idle() -> None:
    """Sync workers finish what wrk left queued; measure the next page only after that."""
    for _ in range(300):
        started = time.monotonic()
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=60)
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def pages(ids: dict) -> list[tuple[str, str, str]]:
    big, doc = ids["big"], ids["round_doc"]
    # One version behind the document's: every request is refused (409), none saves.
    autosave = (
        f"title=%5Bseed%5D+The+3%2C000-word+PR%2FFAQ&base_version={ids['version'] - 1}"
        "&faq-TOTAL_FORMS=0&faq-INITIAL_FORMS=0&csrfmiddlewaretoken=" + ids["csrf"]
    )
    return [
        ("empty view (health)", "/healthz", ""),
        ("dashboard", "/", ""),
        ("search", "/?q=tide+alerts", ""),
        ("read view, 300 threads", f"/documents/{big}/", ""),
        ("editor, 3,000 words", f"/documents/{big}/edit/", ""),
        ("history", f"/documents/{big}/history/", ""),
        ("review page", f"/documents/{doc}/rounds/{ids['round']}/", ""),
        ("autosave POST (stale: 409)", f"/documents/{big}/autosave/", autosave),
        ("comment POST", f"/documents/{big}/threads/{ids['thread']}/reply/",
         f"body=Benchmark+reply&csrfmiddlewaretoken={ids['csrf']}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--comments-per-document", type=int, default=30)
    parser.add_argument("--i-know", action="store_true", help="passed on to seed_scale")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    base = dict(
        os.environ, DEBUG="0", SECRET_KEY="bench-only-" + "k" * 50, ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0", CONN_MAX_AGE="600", EMAIL_HOST="", LOG_LEVEL="ERROR",
    )  # fmt: skip
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", env=base)
    rows = []
    for database in options.databases.split(","):
        env = fresh_database(database, base)
        for size in (int(s) for s in options.sizes.split(",")):
            started = time.monotonic()
            args = ["seed_scale", "--documents", str(size), "--big",
                    "--comments-per-document", str(options.comments_per_document)]  # fmt: skip
            manage(*args, *(["--i-know"] if options.i_know else []), env=env)
            seed_seconds = time.monotonic() - started
            cookie, csrf, ids = session_for(env)
            ids["csrf"] = csrf
            server = serve(env)
            try:
                results = {}
                for name, path, body in pages(ids):
                    wait_until_idle()
                    results[name] = wrk(path, options.seconds, cookie, csrf, body)
                memory = worker_memory_mb(server)
            finally:
                stop(server)
            baseline = results["empty view (health)"]["rps"]
            for name, figures in results.items():
                rows.append((database, size, name, figures, figures["rps"] / baseline))
            print(
                f"{database} {size:,} documents (seeded in {seed_seconds:.0f}s), "
                f"worker RSS {memory:.0f} MB"
            )
    table = render(rows)
    print(table)
    record(table)


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


def record(table: str) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    cpus = os.cpu_count()
    header = (
        f"## Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}\n\n"
        f"Machine: {platform.machine()}, {cpus} cores, Python {platform.python_version()}; "
        "gunicorn 3 sync workers, `wrk -t2 -c16`, persistent connections.\n\n"
    )
    path = ROOT / "bench" / "RESULTS.md"
    previous = path.read_text() if path.exists() else "# Benchmark results\n"
    title, _, rest = previous.partition("\n")
    path.write_text(f"{title}\n\n{header}{table}\n{rest}")


if __name__ == "__main__":
    main()
