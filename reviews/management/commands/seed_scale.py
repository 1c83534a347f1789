"""Fill a database with realistic PR/FAQ data at scale, for benchmarks.

    uv run manage.py seed_scale --documents 10000 --comments-per-document 30

Creates seeded users, documents with several revisions, FAQ entries, gate
reports, comment threads, review rounds and verdicts, in batched inserts with a
progress bar. Everything it makes is marked (usernames start with "seed-",
titles with "[seed]"), and it only adds what is missing: running it twice with
the same numbers adds nothing. ``--big`` also makes one 3,000-word document with
300 threads and 1,000 comments. It refuses to write into a database that holds
data it did not seed unless given --i-know.
"""

import itertools
import random
import sys
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from prfaq.content import Content, FaqEntry
from prfaq.demo_data import RENTROLL
from prfaq.document_templates import PRFAQ
from prfaq.models import Document, Revision
from prfaq.pagecache import changed
from prfaq.rendering import render_content
from reviews.gates import Draft, Severity, run_gates
from reviews.models import Assignment, Comment, GateReport, ReviewRound, Thread, Verdict

SEED_PREFIX = "seed-"
SEED_TITLE = "[seed]"
BIG_TITLE = f"{SEED_TITLE} The 3,000-word PR/FAQ"
BATCH = 2000
TOPICS = ["tide alerts", "rent reconciliation", "shelf restocking", "clinic queues",
          "freight docks", "school buses", "ward handovers", "permit tracking"]  # fmt: skip


def is_seeded_database() -> bool:
    """True when every document and user here was made by seed_scale (or there are none)."""
    User = get_user_model()
    foreign_users = User.objects.exclude(username__startswith=SEED_PREFIX).exists()
    foreign_docs = Document.objects.exclude(title__startswith=SEED_TITLE).exists()
    return not (foreign_users or foreign_docs)


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, max(total, 1), 0, time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        filled = int(30 * self.done / self.total)
        elapsed = time.monotonic() - self.started
        sys.stderr.write(
            f"\r{self.label:<12} [{'#' * filled}{' ' * (30 - filled)}] "
            f"{self.done:,}/{self.total:,} {elapsed:5.1f}s"
        )
        sys.stderr.flush()
        if self.done >= self.total:
            sys.stderr.write("\n")


def batched(items, size: int = BATCH):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = "Fill the database with seeded PR/FAQs, revisions, comments and reviews at scale."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--documents", type=int, default=100)
        parser.add_argument("--comments-per-document", type=int, default=10)
        parser.add_argument("--revisions-per-document", type=int, default=3)
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--big", action="store_true", help="Add the 3,000-word document.")
        parser.add_argument("--i-know", action="store_true", help="Write into a real database.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (7).")

    def handle(self, *args, **options) -> None:
        if not options["i_know"] and not is_seeded_database():
            raise CommandError(
                "This database holds data seed_scale did not make. Seeding it would mix test "
                "data into a real installation; use an empty database, or pass --i-know."
            )
        for name in ("documents", "comments_per_document", "revisions_per_document", "users"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        self.random = random.Random(options["seed"])
        users = self._users(max(options["users"], 2))
        leaders = users[: max(1, len(users) // 10)]
        self._documents(
            users, leaders, options["documents"], options["revisions_per_document"],
            options["comments_per_document"],
        )  # fmt: skip
        if options["big"]:
            self._big_document(users)
        changed(everything=True)  # servers already running show the new rows
        self._analyze()
        self.stdout.write(self.style.SUCCESS("Seeded."))

    def _analyze(self) -> None:
        """Fresh planner statistics after a bulk load, as autovacuum would make in time: without
        them PostgreSQL plans for empty tables (sequential scans, parallel heap scans)."""
        if connection.in_atomic_block:
            return  # inside a test's transaction; VACUUM cannot run there
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def _users(self, count: int) -> list:
        User = get_user_model()
        existing = set(
            User.objects.filter(username__startswith=SEED_PREFIX).values_list("username", flat=True)
        )
        password = make_password("seed-password-not-secret")
        missing = [
            User(username=f"{SEED_PREFIX}{i:05}", password=password, first_name=f"Seed {i}")
            for i in range(count)
            if f"{SEED_PREFIX}{i:05}" not in existing
        ]
        User.objects.bulk_create(missing, batch_size=BATCH)
        from django.contrib.auth.models import Group

        users = list(User.objects.filter(username__startswith=SEED_PREFIX).order_by("username"))
        leadership, _ = Group.objects.get_or_create(name="Leadership")
        leadership.user_set.add(*users[: max(1, len(users) // 10)])
        return users

    def _content(self, i: int, revision: int) -> Content:
        topic = TOPICS[i % len(TOPICS)]
        sections = dict(RENTROLL.sections)
        sections["headline"] = f"Document {i}: {topic}, draft {revision}"
        sections["problem"] = f"{sections['problem']} ({topic}, revision {revision})"
        faq = RENTROLL.faq[: 4 + revision]
        return Content(sections=sections, faq=faq)

    @transaction.atomic
    def _documents(self, users, leaders, count, revisions, comments) -> None:
        existing = (
            Document.objects.filter(title__startswith=SEED_TITLE).exclude(title=BIG_TITLE).count()
        )
        wanted = count - existing
        if wanted <= 0:
            self.stdout.write(f"{existing:,} seeded documents already; none added.")
            return
        rendered, reports = {}, {}
        progress = Progress("documents", wanted)
        for chunk in batched(range(existing, count), 500):
            titles = {i: f"{SEED_TITLE} {TOPICS[i % len(TOPICS)].title()} {i}" for i in chunk}
            docs = Document.objects.bulk_create(
                Document(
                    title=titles[i],
                    template=PRFAQ.key,
                    owner=users[i % len(users)],
                    restricted=i % 10 == 0,
                    # What saving the latest revision would store: search reads whole texts.
                    search_text=f"{titles[i]}\n{self._content(i, revisions + 1).plain_text()}",
                )
                for i in chunk
            )
            revs = []
            for doc, i in zip(docs, chunk, strict=True):
                for n in range(1, revisions + 2):
                    content = self._content(i, n)
                    key = (i % len(TOPICS), n)
                    if key not in rendered:
                        rendered[key] = (
                            content.to_json(),
                            render_content(content),
                            content.word_count,
                        )
                    data, html, words = rendered[key]
                    revs.append(
                        Revision(
                            document=doc, number=n, author=doc.owner, title=doc.title,
                            content=data, rendered=html, word_count=words, sealed=True,
                        )
                    )  # fmt: skip
            revs = Revision.objects.bulk_create(revs, batch_size=BATCH)
            latest = {}
            for rev in revs:
                latest[rev.document_id] = rev
            for doc in docs:
                rev = latest[doc.pk]
                doc.current_revision, doc.word_count, doc.version = rev, rev.word_count, rev.number
            Document.objects.bulk_update(docs, ["current_revision", "word_count", "version"])
            GateReport.objects.bulk_create(self._report(rev, reports) for rev in latest.values())
            self._discussions(docs, users, comments)
            self._reviews(docs, users, leaders, latest)
            progress.advance(len(docs))

    def _report(self, revision, cache) -> GateReport:
        key = revision.content["sections"]["headline"].split(":")[1]
        if key not in cache:
            findings = run_gates(Draft(Content.from_json(revision.content), PRFAQ, revision.title))
            cache[key] = findings
        findings = cache[key]
        return GateReport(
            revision=revision,
            findings=[f.to_json() for f in findings],
            blockers=sum(f.severity == Severity.BLOCKER for f in findings),
            warnings=sum(f.severity == Severity.WARNING for f in findings),
            infos=sum(f.severity == Severity.INFO for f in findings),
        )

    def _discussions(self, docs, users, per_document: int) -> None:
        if per_document <= 0:
            return
        threads = Thread.objects.bulk_create(
            Thread(
                document=doc,
                revision_id=doc.current_revision_id,
                section="problem",
                quote="",
                section_digest="",
                started_by=users[(doc.pk + t) % len(users)],
            )
            for doc in docs
            for t in range(max(1, per_document // 3))
        )
        by_doc: dict[int, list] = {}
        for thread in threads:
            by_doc.setdefault(thread.document_id, []).append(thread)
        comments = (
            Comment(
                thread=by_doc[doc.pk][c % len(by_doc[doc.pk])],
                author=users[(doc.pk * 7 + c) % len(users)],
                body=f"Comment {c}: how does this work for {TOPICS[c % len(TOPICS)]}?",
                body_html=f"<p>Comment {c}: how does this work for {TOPICS[c % len(TOPICS)]}?</p>",
            )
            for doc in docs
            for c in range(per_document)
        )
        for chunk in batched(comments):
            Comment.objects.bulk_create(chunk)

    def _reviews(self, docs, users, leaders, latest) -> None:
        rounds = ReviewRound.objects.bulk_create(
            ReviewRound(
                document=doc,
                number=1,
                revision=latest[doc.pk],
                submitted_by=doc.owner,
                due_date="2027-01-01",
                state=ReviewRound.State.OPEN,
            )
            for doc in docs[::3]
        )
        Assignment.objects.bulk_create(
            Assignment(round=r, user=leaders[r.document_id % len(leaders)], role="approver")
            for r in rounds
        )
        Verdict.objects.bulk_create(
            Verdict(
                round=r,
                reviewer=leaders[r.document_id % len(leaders)],
                revision=r.revision,
                big_idea="yes",
                should_we="yes",
                plan="not_yet",
                decision="request_changes",
                rationale="Show the plan to succeed.",
            )
            for r in rounds[::2]
        )
        Document.objects.filter(pk__in=[r.document_id for r in rounds]).update(status="in_review")

    @transaction.atomic
    def _big_document(self, users) -> None:
        title = BIG_TITLE
        if Document.objects.filter(title=title).exists():
            self.stdout.write("The big document is there already.")
            return
        sections = {k: "\n\n".join([v] * 6) for k, v in RENTROLL.sections.items()}
        faq = tuple(
            FaqEntry(f"{e.question} ({n})", e.answer, e.side, e.topic)
            for n in range(3)
            for e in RENTROLL.faq
        )
        content = Content(sections=sections, faq=faq)
        doc = Document.objects.create(title=title, template=PRFAQ.key, owner=users[0])
        rev = Revision.objects.create(
            document=doc, number=1, author=users[0], title=title, content=content.to_json(),
            rendered=render_content(content), word_count=content.word_count, sealed=True,
        )  # fmt: skip
        Document.objects.filter(pk=doc.pk).update(
            current_revision=rev, word_count=rev.word_count, version=1,
            search_text=f"{title}\n{content.plain_text()}",
        )  # fmt: skip
        GateReport.record(rev)
        doc.current_revision = rev
        self._discussions([doc], users, 900)  # 300 threads, 900 comments
        threads = list(doc.threads.all())
        Comment.objects.bulk_create(
            Comment(
                thread=threads[c % len(threads)],
                author=users[c % len(users)],
                body=f"Extra {c}",
                body_html=f"<p>Extra {c}</p>",
            )
            for c in range(1000 - Comment.objects.filter(thread__document=doc).count())
        )
        self.stdout.write(f"The big document: {rev.word_count:,} words, document {doc.pk}.")
