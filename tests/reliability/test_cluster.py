"""Two app servers behind nginx on one PostgreSQL, and workers killed under load.

Runs ``bench/cluster.py --short``: a few seconds of concurrent edits, comments,
submissions and verdicts through nginx, twice, the second time with two gunicorn
workers SIGKILLed in the middle of it; the script checks the figures against the
responses and the database and exits 1 if any fails.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL: set DATABASE_URL=postgres://... (one database, two servers)",
    ),
    pytest.mark.skipif(
        not Path(NGINX).exists(), reason="needs Debian's nginx: apt-get install nginx"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("gunicorn") is None, reason="needs gunicorn: uv sync"
    ),
]


@pytest.fixture(scope="module")
def figures() -> dict:
    run = subprocess.run(
        [sys.executable, "bench/cluster.py", "--short", "--no-record", "--port", "8850",
         "--database", f"prfaq_cluster_test_{os.getpid()}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-6000:]
    line = next(x for x in run.stdout.splitlines() if x.startswith("FIGURES "))
    return json.loads(line.removeprefix("FIGURES "))


def test_two_servers_share_the_load_and_nothing_is_lost(figures):
    phase = figures["two servers"]
    assert len(phase["backends"]) == 2, phase["backends"]
    assert all(n > 0 for n in phase["backends"].values())
    assert phase["saves accepted"] > 0
    assert phase["saves refused (409)"] > 0  # the editors' opening saves collide
    assert phase["accepted saves = versions written"] is True
    assert phase["version collisions or gaps"] == 0
    assert phase["lost texts"] == 0
    assert phase["server errors (500)"] == 0
    assert phase["sessions lost (sent to sign in again)"] == 0


@pytest.mark.parametrize("phase", ["two servers", "two servers, workers killed"])
def test_approvals_rounds_and_the_database_stay_consistent(figures, phase):
    f = figures[phase]
    assert f["approvals counted for another revision"] == 0
    assert f["rounds in two states"] == 0
    assert f["verdicts on a revision other than the one read"] == 0
    assert f["half-written revisions"] == 0
    assert f["comments lost or doubled"] == 0
    assert f["check_integrity exit code"] == 0


def test_killed_workers_leave_every_save_whole(figures):
    f = figures["two servers, workers killed"]
    assert f["worker kills"] == 2
    assert f["killed saves half-written"] == 0
    assert f["accepted saves = versions written"] is True
    assert f["lost texts"] == 0
    assert f["server errors (500)"] == 0
    assert len(f["backends"]) == 2
