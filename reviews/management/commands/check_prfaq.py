"""Lint PR/FAQs kept in a repository: run the review gates on Markdown or text files.

    uv run manage.py check_prfaq docs/tide-alerts.md docs/*.md
    uv run manage.py check_prfaq --format json docs/tide-alerts.md

Reads canonical Markdown (front matter and a heading per section) or prose
pasted from a word processor. Prints each file's findings. Exit status: 1 when
any file has a blocker, 2 when a file cannot be read (the reason goes to
stderr in one line), 0 otherwise. Needs no database.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from prfaq.markdown_io import ImportError_, decode_upload, parse_markdown
from reviews.gates import Draft, Severity, run_gates

SEVERITY_WIDTH = 8


class Command(BaseCommand):
    help = "Run the review gates on PR/FAQ files (Markdown or plain text)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="PR/FAQ files to check.")
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="Output format (text)."
        )

    def handle(self, *args, files: list[str], format: str, **options) -> None:
        results, unreadable, blocked = [], False, False
        for name in files:
            try:
                imported = parse_markdown(decode_upload(_read(name)))
            except (OSError, ImportError_) as exc:
                self.stderr.write(f"{name}: cannot be read: {_reason(exc)}")
                unreadable = True
                continue
            findings = run_gates(Draft(imported.content, imported.template, imported.title))
            blocked |= any(f.severity == Severity.BLOCKER for f in findings)
            results.append(
                {
                    "file": name,
                    "sections": imported.sections_found,
                    "findings": [f.to_json() for f in findings],
                    "notes": imported.notes,
                }
            )
        if format == "json":
            self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
        else:
            for result in results:
                self._write_text(result)
        if unreadable:
            raise SystemExit(2)
        if blocked:
            raise SystemExit(1)

    def _write_text(self, result: dict) -> None:
        findings = result["findings"]
        counts = {s: sum(1 for f in findings if f["severity"] == s) for s in Severity}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
        self.stdout.write(f"{result['file']}: {summary}")
        for note in result["notes"]:
            self.stdout.write(f"  {'note':<{SEVERITY_WIDTH}} {note}")
        for f in findings:
            where = f" [{f['section']}]" if f["section"] else ""
            self.stdout.write(
                f"  {f['severity']:<{SEVERITY_WIDTH}} {f['gate']}{where}: {f['message']}"
            )
            if f["excerpt"]:
                self.stdout.write(f"  {'':<{SEVERITY_WIDTH}} \u201c{f['excerpt']}\u201d")


def _read(name: str) -> bytes:
    path = Path(name)
    if path.is_dir():
        raise IsADirectoryError(f"{name} is a directory")
    return path.read_bytes()


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
