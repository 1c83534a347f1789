"""manage.py check_prfaq: the gates on files, for PR/FAQs kept in repositories."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.reviews.test_gate_accuracy import CORPUS

ROOT = Path(__file__).resolve().parents[2]
GOOD = CORPUS / "h-handoffnote.md"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check_prfaq", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_text_output_lists_findings_per_file_and_exits_0_without_blockers():
    result = run(str(GOOD))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{GOOD}: 0 blockers")


def test_a_blocker_exits_1(tmp_path):
    text = GOOD.read_text()
    problem = json.loads(GOOD.with_suffix(".json").read_text())["problem"]
    missing = tmp_path / "missing-problem.md"
    missing.write_text(text.replace(problem, ""))
    result = run(str(GOOD), str(missing))
    assert result.returncode == 1
    assert "blocker  problem-paragraph [problem]: The press release has no problem paragraph." in (
        result.stdout
    )


def test_json_output_has_file_sections_and_findings(tmp_path):
    prose = tmp_path / "prose.txt"
    prose.write_text(
        "Pantry Pal cuts food bank queues\n\nVolunteers see who is coming.\n\n"
        "HULL, UK \u2014 1 May 2027 \u2014 Harbour Aid today launched Pantry Pal.\n\n"
        "Pantry Pal lets families book a slot.\n\nFAQ\n\nQ: Why now?\n"
    )
    result = run("--format", "json", str(prose))
    assert result.returncode == 1  # no problem paragraph
    (report,) = json.loads(result.stdout)
    assert report["file"] == str(prose)
    assert {"headline", "summary", "faq"} <= set(report["sections"])
    gates = {f["gate"] for f in report["findings"]}
    assert {"problem-paragraph", "writing"} <= gates
    assert set(report["findings"][0]) == {"gate", "severity", "section", "message", "excerpt"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01PK\x03\x04", "binary"),
        (b"\xff\xfe\xfa not utf-8", "not UTF-8"),
    ],
)
def test_unreadable_files_exit_2_with_one_line(tmp_path, content, reason):
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    result = run(str(bad), str(GOOD))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{bad}: cannot be read:") and reason in line
    assert str(GOOD) in result.stdout  # the other files are still checked


def test_missing_file_and_directory_exit_2(tmp_path):
    result = run(str(tmp_path / "nope.md"), str(tmp_path))
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr
    assert "is a directory" in result.stderr


def test_runs_in_process_without_the_database(capsys):
    call_command("check_prfaq", str(GOOD))
    assert "0 blockers" in capsys.readouterr().out


def test_an_empty_template_is_read_and_blocked(tmp_path):
    from prfaq.content import Content
    from prfaq.document_templates import PRFAQ
    from prfaq.markdown_io import export_markdown

    blank = tmp_path / "blank.md"
    blank.write_text(export_markdown(title="Blank", template=PRFAQ, content=Content.empty(PRFAQ)))
    result = run(str(blank))
    assert result.returncode == 1
    assert "problem-paragraph" in result.stdout
