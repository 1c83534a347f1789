"""Back up the whole installation into one archive file; for operators.

    uv run manage.py export_all backup.json
    uv run manage.py export_all /backups/prfaq-$(date +%F).json.gz

Writes every user (password hash, groups and permissions included), document (with
its collaborators and readers), revision, gate report, thread, comment, subscription,
blind reading, review round, assignment, acknowledgement, verdict, concern, timeline
event and notification to one JSON file, gzipped when the name ends in ``.gz``. The
archive starts with its format version, the migrations the database is at, and how
many rows of each kind follow; ``import_all`` restores it into a fresh database.

Sessions, sign-in lockouts, queued e-mails and the admin's change log are left out.
The export reads one consistent snapshot while the app keeps running (on SQLite,
saves wait until it is done); the file appears only once it is complete. Exit
status 0 when written, 1 with a one-line reason otherwise.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.backup import ArchiveError, count_lines, write_archive


class Command(BaseCommand):
    help = "Write every user, document, review, comment and event to one JSON archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="Archive to write (.json, or .json.gz).")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            counts = write_archive(path)
        except OSError as exc:
            raise CommandError(f"{path} cannot be written: {exc.strerror or exc}.") from None
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(count_lines(counts)))
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {sum(counts.values()):,} rows and links to {path}.")
        )
