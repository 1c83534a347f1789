"""Backup archives: every row an installation holds, in one JSON file, and back.

An archive is one JSON object laid out one line per database row, so that it is
written and read a row at a time (10,000 documents never sit in memory at once)
and is still plain JSON to any other tool::

    {"format": "prfaq-studio-backup", "version": 1, "exported_at": ..., "migrations": {...},
     "counts": {...}, "objects": [
    {"model": "prfaq.user", "pk": 1, "fields": {...}},
    ...
    ]}

Rows are Django's serialization of each model in ``MODELS`` (``django.core.serializers``),
ordered by primary key, with their ids kept. Groups and permissions are the exception:
``migrate`` creates them itself with ids that differ between databases, so they are named
by natural key (a group by its name, a permission by codename, app and model).
"""

import datetime
import gzip
import itertools
import json
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers import python
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from prfaq.models import Document

FORMAT = "prfaq-studio-backup"
VERSION = 1

# Everything an installation holds, each model after the ones it refers to by natural key.
# Adding a model to the backup is one line here.
MODELS = [
    "auth.Group",
    "prfaq.User",
    "prfaq.Document",
    "prfaq.Revision",
    "reviews.GateReport",
    "reviews.Thread",
    "reviews.Comment",
    "reviews.Subscription",
    "reviews.BlindReading",
    "reviews.ReviewRound",
    "reviews.Assignment",
    "reviews.Acknowledgement",
    "reviews.Verdict",
    "reviews.Concern",
    "reviews.Event",
    "reviews.Notification",
    "audit.AuditEntry",
]
# Not backed up: sessions (everyone signs in again), sign-in lockouts (django-axes),
# queued e-mails (django-tasks-db) and the admin's change log.

# Rows migrate makes itself: referred to by natural key, never by id.
NATURAL_KEY_MODELS = (Group, Permission, ContentType)

BATCH = 500


class ArchiveError(Exception):
    """The archive cannot be read or restored here; the message says why in one sentence."""


def backed_up_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in MODELS]


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per model, and links per many-to-many field (``prfaq.document.readers``)."""
    counts: dict[str, int] = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        counts[label] = model._base_manager.using(using).count()
        for field in _m2m_fields(model):
            through = field.remote_field.through
            counts[f"{label}.{field.name}"] = through._base_manager.using(using).count()
    return counts


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """Migrations applied to this database for the apps whose models are backed up."""
    app_labels = {model._meta.app_label for model in backed_up_models()}
    recorder = MigrationRecorder(connections[using])
    applied: dict[str, list[str]] = {label: [] for label in sorted(app_labels)}
    if recorder.has_table():
        for app_label, name in recorder.applied_migrations():
            if app_label in applied:
                applied[app_label].append(name)
    return {label: sorted(names) for label, names in applied.items()}


class _Serializer(python.Serializer):
    """Django's, with natural keys only for rows migrate makes (a user is named by id)."""

    def _model_supports_natural_key(self, model) -> bool:
        return issubclass(model, NATURAL_KEY_MODELS) and super()._model_supports_natural_key(model)

    def _resolve_natural_key(self, obj):
        return super()._resolve_natural_key(obj) if isinstance(obj, NATURAL_KEY_MODELS) else None


class _Encoder(json.JSONEncoder):
    """Like DjangoJSONEncoder, but keeps a datetime's microseconds (Django's drops them)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.date | datetime.time):
            return o.isoformat()
        if isinstance(o, uuid.UUID | Decimal):
            return str(o)
        return super().default(o)


def _dumps(value) -> str:
    return json.dumps(value, cls=_Encoder, ensure_ascii=False)


def _rows(model: type[models.Model], using: str) -> Iterator[dict]:
    m2m = [f.name for f in _m2m_fields(model)]
    # Natural-key rows have no id common to every database: their key orders them.
    order = "name" if issubclass(model, NATURAL_KEY_MODELS) else "pk"
    queryset = model._base_manager.using(using).order_by(order).prefetch_related(*m2m)
    for batch in itertools.batched(queryset.iterator(chunk_size=BATCH), BATCH, strict=False):
        for row in _Serializer().serialize(
            batch, use_natural_foreign_keys=True, use_natural_primary_keys=True
        ):
            for name in m2m:
                row["fields"][name].sort()
            yield row


def _open_for_writing(path: Path, *, compress: bool) -> BinaryIO:
    if compress:
        return gzip.open(path, "wb", compresslevel=6)  # type: ignore[return-value]
    return path.open("wb")


def write_archive(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Write every backed-up row to ``path`` (gzipped if it ends in .gz); return the counts.

    The archive is written beside ``path`` and moved over it when complete, so a failed
    export never leaves a half archive behind.
    """
    connection = connections[using]
    partial = path.with_name(path.name + ".partial")
    outermost = not connection.in_atomic_block
    try:
        with (
            _open_for_writing(partial, compress=path.name.endswith(".gz")) as out,
            transaction.atomic(using=using),
        ):
            if outermost and connection.vendor == "postgresql":
                # One snapshot for the whole export while the app goes on writing.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            if not any(applied_migrations(using).values()):
                raise ArchiveError("This database is not migrated: there is nothing to export.")
            counts = row_counts(using)
            header = {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": timezone.now().isoformat(),
                "migrations": applied_migrations(using),
                "counts": counts,
            }
            out.write((_dumps(header)[:-1] + ', "objects": [\n').encode())
            first = True
            for model in backed_up_models():
                for row in _rows(model, using):
                    out.write((b"" if first else b",\n") + _dumps(row).encode())
                    first = False
            out.write(b"\n]}\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _open_for_reading(path: Path) -> BinaryIO:
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file.") from None
    except OSError as exc:
        raise ArchiveError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if file.read(2) == b"\x1f\x8b":  # gzip's magic number, whatever the file is called
        file.seek(0)
        return gzip.GzipFile(fileobj=file, mode="rb")  # type: ignore[return-value]
    file.seek(0)
    return file


class Archive:
    """An archive opened for reading: its header at once, then its rows one at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line_number = 0
        self.rows_read: Counter[str] = Counter()
        self._file = _open_for_reading(path)
        try:
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        fileobj = getattr(self._file, "fileobj", None)
        self._file.close()
        if fileobj is not None:
            fileobj.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def counts(self) -> dict[str, int]:
        return self.header["counts"]

    @property
    def migrations(self) -> dict[str, list[str]]:
        return self.header["migrations"]

    def _readline(self, limit: int = -1) -> bytes:
        try:
            line = self._file.readline(limit)
        except (OSError, EOFError, zlib.error) as exc:
            raise ArchiveError(
                f"{self.path} is damaged or cut short after line {self.line_number} ({exc})."
            ) from None
        self.line_number += 1
        return line

    def _read_header(self) -> dict:
        first = self._readline(1_000_000)
        try:
            header = json.loads(first + b"]}")
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ArchiveError(f"{self.path} is not a backup written by export_all.")
        if header.get("version") != VERSION:
            raise ArchiveError(
                f"{self.path} is in backup format version {header.get('version')!r}; "
                f"this version of PR/FAQ studio reads version {VERSION}."
            )
        counts, migrations = header.get("counts"), header.get("migrations")
        if not (
            header.get("objects") == []
            and isinstance(counts, dict)
            and all(isinstance(n, int) and n >= 0 for n in counts.values())
            and isinstance(migrations, dict)
            and all(isinstance(names, list) for names in migrations.values())
        ):
            raise ArchiveError(f"{self.path} has a damaged header (line 1).")
        return header

    def rows(self) -> Iterator[dict]:
        """Each row in turn; the archive's end must come, with as many rows as it announced."""
        known = {model._meta.label_lower for model in backed_up_models()}
        while line := self._readline():
            line = line.strip()
            if line == b"]}":
                break
            try:
                row = json.loads(line.removesuffix(b","))
            except ValueError:
                raise ArchiveError(
                    f"{self.path} is damaged or cut short at line {self.line_number}."
                ) from None
            if not (
                isinstance(row, dict)
                and isinstance(row.get("fields"), dict)
                and row.get("model") in known
            ):
                raise ArchiveError(
                    f"{self.path} line {self.line_number} is not a row of a model this "
                    "version of PR/FAQ studio backs up."
                )
            self.rows_read[row["model"]] += 1
            yield row
        else:
            raise ArchiveError(
                f"{self.path} is cut short: it ends at line {self.line_number}, "
                "before the end of the archive."
            )
        if self._readline().strip():
            raise ArchiveError(f"{self.path} has data after the end of the archive.")
        for label in known:
            if self.rows_read[label] != self.counts.get(label):
                raise ArchiveError(
                    f"{self.path} holds {self.rows_read[label]} {label} rows but its header "
                    f"announces {self.counts.get(label)}: the archive is damaged."
                )


def _schema(migrations: dict[str, list[str]]) -> str:
    return ", ".join(
        f"{app} {names[-1] if names else '(none)'}" for app, names in sorted(migrations.items())
    )


def occupied(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows already here that a restore would write, by model (groups migrate made aside)."""
    found = {}
    for model in backed_up_models():
        if not issubclass(model, NATURAL_KEY_MODELS):
            count = model._base_manager.using(using).count()
            if count:
                name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
                found[str(name)] = count
    return found


def restore(archive: Archive, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Load every row of ``archive`` into an empty, migrated database, all or nothing.

    Rows keep their ids and are saved raw, past any ``save()`` override (an event refuses
    to be saved twice) and past ``auto_now``; PostgreSQL's id sequences are then moved past
    the restored ids. Returns the counts, checked against the archive's.
    """
    here = applied_migrations(using)
    if not any(here.values()):
        raise ArchiveError("This database is not migrated: run migrate first, then import_all.")
    if archive.migrations != here:
        raise ArchiveError(
            f"The archive was written by a database at {_schema(archive.migrations)}, and this "
            f"one is at {_schema(here)}: run migrate first, or restore with the version of "
            "PR/FAQ studio that wrote the archive and upgrade afterwards."
        )
    if found := occupied(using):
        listed = ", ".join(f"{n:,} {name}" for name, n in found.items())
        raise ArchiveError(
            f"This database is not empty (it holds {listed}): import_all restores into a "
            "fresh database only. Create one, run migrate, then import_all."
        )
    connection = connections[using]
    models_ = backed_up_models()
    throughs = [f.remote_field.through for m in models_ for f in _m2m_fields(m)]
    with transaction.atomic(using=using):
        with connection.constraint_checks_disabled():
            _load(archive, using)
        try:
            connection.check_constraints(table_names=[m._meta.db_table for m in models_])
        except DatabaseError as exc:
            raise ArchiveError(
                f"The archive's rows do not hold together: {_one_line(exc)}"
            ) from None
        statements = connection.ops.sequence_reset_sql(no_style(), models_ + throughs)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        counts = row_counts(using)
        natural = {m._meta.label_lower for m in models_ if issubclass(m, NATURAL_KEY_MODELS)}
        for label, count in counts.items():
            expected = archive.counts.get(label)
            # Groups migrate made may be here besides the archive's; every other count is exact.
            merged = ".".join(label.split(".")[:2]) in natural
            if expected is None or count < expected or (count > expected and not merged):
                raise ArchiveError(
                    f"After loading, this database holds {count} {label} rows where the archive "
                    f"announces {expected}: nothing was restored."
                )
        # Search caught up where the archive left it behind an author's typing: the task
        # queued for it is not backed up.
        behind = Document.objects.using(using).filter(search_due_at__isnull=False)
        for pk in behind.values_list("pk", flat=True):
            Document.catch_up_search(pk, using=using)
    return counts


def _load(archive: Archive, using: str) -> None:
    rows = serializers.deserialize("python", archive.rows(), using=using)
    try:
        for item in rows:
            # Rows migrate made (groups) may exist already: those are updated, the rest inserted.
            insert = not isinstance(item.object, NATURAL_KEY_MODELS)
            item.save(using=using, force_insert=insert)
    except (DeserializationError, FieldDoesNotExist, ValidationError, ValueError, TypeError,
            LookupError, DatabaseError) as exc:  # fmt: skip
        raise ArchiveError(
            f"{archive.path} line {archive.line_number} cannot be restored: {_one_line(exc)}"
        ) from None


def _one_line(exc: Exception) -> str:
    """The error's message on one line (PostgreSQL puts the offending key on a second)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def count_lines(counts: dict[str, int]) -> list[str]:
    """The counts as aligned lines, for the commands' reports."""
    width = max(map(len, counts), default=0)
    return [f"  {label:<{width}}  {n:>9,}" for label, n in counts.items()]
