"""Restore an archive written by export_all into a fresh database; for operators.

    createdb prfaq_restored
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/prfaq_restored
    uv run manage.py migrate
    uv run manage.py import_all /backups/prfaq-2026-11-27.json.gz
    uv run manage.py check_integrity

The database must be migrated exactly as far as the one the archive came from, and
hold no user, document or other row the archive restores: only the groups migrate
creates, which are matched by name. Anything else is refused with a one-line reason
and nothing is written; there is no merging into a database in use (to replace one,
restore into a new database and point the app at it).

Everything loads in one transaction. Rows keep their ids, timestamps and password
hashes and are saved raw, past the models' own rules (timeline events refuse to be
written twice); PostgreSQL's id sequences are then moved past the restored ids so
new documents do not collide. The row counts are checked against the archive's
before committing and printed. A gzipped archive is recognised by its content.
Exit status 0 when restored, 1 with a one-line reason otherwise.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prfaq.pagecache import changed
from reviews.backup import Archive, ArchiveError, count_lines, restore


class Command(BaseCommand):
    help = "Restore an export_all archive into a fresh, migrated database (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="Archive written by export_all.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            with Archive(path) as archive:
                counts = restore(archive)
            changed(everything=True)  # servers already running show the restored rows
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(count_lines(counts)))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values()):,} rows and links from {path}; "
                "run check_integrity next."
            )
        )
