"""Configuration from the environment fails loudly, in one line, and never defaults a secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unset = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_HOST"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_stops_in_one_line():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="prfaq.example")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY is not set: with DEBUG off, set SECRET_KEY to a long "
        "random string."
    ]


@pytest.mark.parametrize("url", ["mysqlx://nowhere", "not a url", "postgres://host:notaport/db"])
def test_malformed_database_url_stops_in_one_line(url):
    result = run_manage("check", DATABASE_URL=url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Configuration error: DATABASE_URL")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TIME_ZONE", "Nope/Zone", "TIME_ZONE 'Nope/Zone' is not a time zone"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be DEBUG"),
        ("DATABASE_URL", "mysql://u@h/db", "a database this app does not run on"),
        ("DATABASE_URL", "sqlite://", "in-memory SQLite database"),
        ("CONN_MAX_AGE", "soon", "CONN_MAX_AGE must be a whole number"),
    ],
)
def test_other_bad_values_stop_in_one_line(name, value, message):
    result = run_manage("check", **{name: value})
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert message in line


def test_production_servers_default_to_debug_off():
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "import prfaq.wsgi"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in unset},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def test_bad_boolean_is_named():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert "DEBUG must be true or false" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-production-secret-" + "x9Q!" * 15,
        ALLOWED_HOSTS="prfaq.example",
        EMAIL_HOST="smtp.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_response_carries_the_content_security_policy(client, author):
    client.force_login(author)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.parametrize(
    ("value", "bound"), [(None, "True 5"), ("false", "False None"), ("1", "True 5")]
)
def test_postgresql_binds_and_prepares_on_the_server_unless_told_not_to(value, bound):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_SERVER_SIDE_BINDING"}
    env |= {"DATABASE_URL": "postgres://prfaq@db.example:5432/prfaq"}
    if value is not None:
        env["DATABASE_SERVER_SIDE_BINDING"] = value
    result = subprocess.run(
        [sys.executable, "-c", "from prfaq import settings; "
         "options = settings.DATABASES['default']['OPTIONS']; "
         "print(options['server_side_binding'], options['prepare_threshold'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == bound, result.stderr


@pytest.mark.django_db
def test_a_query_run_again_and_again_on_postgresql_is_planned_once():
    from django.db import connection

    from prfaq.models import User

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to prepare statements on")
    for pk in range(8):
        list(User.objects.filter(pk=pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('FROM "prfaq_user"' in statement for statement in prepared)


def test_a_bad_page_cache_switch_is_named():
    result = run_manage("check", PAGE_CACHE="sometimes")
    assert result.returncode == 1
    assert "PAGE_CACHE must be true or false" in result.stderr
