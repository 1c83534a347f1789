"""Randomised races on PostgreSQL, through the views: nothing lost, nothing counted twice.

Each race releases 2 to 8 requests at the same moment (threads, each with its own
test client and database connection) against one document: saves to the same
section or to different sections, double submits, verdicts racing an edit,
approvers deciding at once, a withdrawal racing a verdict, a concern racing the
last approval. After every race the database is checked against what the
responses said, and the totals are printed at the end of the run.

``RACE_SEED=1234 uv run pytest tests/reliability`` replays a run's choices (who
races, with what, on which document; the interleaving is the database's), and
``RACES`` sets how many races to run.
"""

import os
import random
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from prfaq.content import Content
from prfaq.models import COALESCE_WINDOW, Document, Revision, User
from reviews.management.commands.check_integrity import inconsistencies
from reviews.models import Assignment, Concern, Event, ReviewRound, Verdict
from reviews.workflow import give_verdict, save_draft, submit_for_review, withdraw_review
from tests.conftest import full_content, make_document, make_user
from tests.reviews.test_review_rounds import YES, acknowledge_all

pytestmark = pytest.mark.django_db(transaction=True)

SEED = int(os.environ.get("RACE_SEED") or random.SystemRandom().randrange(1_000_000))
RACES = int(os.environ.get("RACES", "520"))
CREW = 8  # requests in one race, at most
CROWD_WEIGHTS = [55, 18, 9, 6, 4, 3, 5]  # 2 racers (or the fewest) to 8 (or the most)
MERGE_CHECKS = 0.05  # the share of refused autosaves taken through Compare and merge
DOCUMENTS = 4
SCENARIOS = {  # name: weight
    "same section": 34,
    "different sections": 24,
    "double submit": 10,
    "verdict racing an edit": 10,
    "approvers at once": 8,
    "withdraw racing a verdict": 7,
    "concern racing approval": 7,
}
SECTIONS = [
    "headline", "subheading", "summary", "problem", "solution", "leader_quote",
    "how_it_works", "customer_quote", "call_to_action",
]  # fmt: skip
PROBLEM = "Skippers of small boats misread the tides and lose a day of catch"
DECIDED = ("nothing can change it now",)
TEXT_CHANGED = ("The text changed since you loaded the page",)
FORM = "application/x-www-form-urlencoded"
BASE_VERSION = re.compile(r'name="base_version" value="(\d+)"')


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "races need PostgreSQL: SQLite serialises every writer, so nothing would race; "
            "run with DATABASE_URL=postgres://…"
        )


@dataclass
class Sent:
    """One request in a race, and what came back."""

    action: str  # autosave, save, submit, verdict, withdraw, concern
    user: User
    client: Client
    url: str
    data: dict
    sections: dict[str, str] = field(default_factory=dict)  # what a save wrote
    stale: bool = False  # a save carrying a version older than the one it could have read
    status: int = 0
    body: str = ""
    error: str = ""

    def send(self) -> None:
        self.client.cookies.pop("messages", None)  # flash messages would pile up in the cookie
        headers = {"HX-Request": "true"} if self.action == "autosave" else {}
        # Encoded as a browser sends a form (and cheaper to parse than multipart).
        body = urlencode(self.data, doseq=True)
        response = self.client.post(self.url, body, content_type=FORM, headers=headers)
        self.status, self.body = response.status_code, response.content.decode()
        if self.status >= 500 and response.exc_info:  # a crash or a deadlock (also logged)
            self.error = "".join(traceback.format_exception(*response.exc_info, limit=-3))

    @property
    def accepted(self) -> bool:
        return self.status in (200, 302)

    @property
    def key(self) -> tuple:
        return tuple(sorted(self.sections.items()))

    def says(self, *sentences: str) -> bool:
        return any(s in self.body for s in sentences)


class Crew:
    """Up to eight threads that keep their database connections from race to race."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(CREW)

    def race(self, requests: list[Sent]) -> None:
        barrier = threading.Barrier(len(requests))

        def run(request: Sent) -> None:
            barrier.wait(timeout=60)
            request.send()

        for future in [self.pool.submit(run, r) for r in requests]:
            future.result()

    def race_calls(self, calls: list[Callable[[], None]]) -> None:
        """Each call on a thread of its own, all released at the same moment."""
        barrier = threading.Barrier(len(calls))

        def run(call: Callable[[], None]) -> None:
            barrier.wait(timeout=60)
            call()

        for future in [self.pool.submit(run, call) for call in calls]:
            future.result()

    def on_every_thread(self, action: Callable[[], None]) -> None:
        barrier = threading.Barrier(CREW)  # holds each call on its own thread

        def run() -> None:
            barrier.wait(timeout=60)
            action()

        wait([self.pool.submit(run) for _ in range(CREW)])

    def close(self) -> None:
        self.on_every_thread(connections.close_all)
        self.pool.shutdown()


@dataclass(frozen=True)
class Seen:
    """A document as the racers loaded it: what they read is what they act on."""

    version: int
    revision: Revision
    status: str

    @classmethod
    def of(cls, document: Document) -> "Seen":
        d = Document.objects.select_related("current_revision").get(pk=document.pk)
        return cls(version=d.version, revision=d.current_revision, status=d.status)

    @property
    def content(self) -> Content:
        return self.revision.as_content()

    def editor_data(self) -> dict:
        """What the editor form posts for this text and version."""
        content = self.content
        data = {"title": self.revision.title, "base_version": self.version}
        data |= {f"section_{key}": content.section(key) for key in SECTIONS}
        data |= {"faq-TOTAL_FORMS": len(content.faq), "faq-INITIAL_FORMS": len(content.faq)}
        for i, entry in enumerate(content.faq):
            data |= {f"faq-{i}-{name}": value for name, value in entry.to_json().items()}
        return data


@dataclass
class Write:
    """An accepted save: which revision its text went into."""

    order: int
    revision_id: int
    sections: dict[str, str]
    race: int


class Races:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.crew = Crew()
        self.count: Counter = Counter()
        self.problems: list[str] = []
        self.writes: list[Write] = []
        self.clients: dict[tuple[int, int], Client] = {}
        self.author = make_user("author")
        self.editors = [self.author] + [make_user(f"writer{i}") for i in range(1, 8)]
        self.leaders = [make_user(f"leader{i}", leader=True) for i in range(1, 6)]
        self.reviewers = [make_user(f"reviewer{i}") for i in range(1, 4)]
        self.documents = [
            make_document(
                owner=self.author,
                title=f"Tide Alerts {i}",
                content=full_content(),
                collaborators=self.editors[1:],
            )
            for i in range(1, DOCUMENTS + 1)
        ]
        self.race_number = 0

    # -- bookkeeping ------------------------------------------------------------------

    def problem(self, figure: str, message: str) -> None:
        self.count[figure] += 1
        self.problems.append(f"race {self.race_number} ({figure}): {message}")

    def tab(self, user: User, number: int = 0) -> Client:
        """A signed-in browser tab; the same person may race themselves from several."""
        client = self.clients.get((user.pk, number))
        if client is None:
            client = self.clients[(user.pk, number)] = Client(raise_request_exception=False)
            client.force_login(user)
        return client

    def words(self, key: str) -> str:
        token = f"{self.rng.randrange(16**8):08x}"
        lead = PROBLEM if key == "problem" else f"The {key.replace('_', ' ')} as race"
        return f"{lead} {self.race_number} left it, take {token}."

    def race(self, requests: list[Sent]) -> None:
        self.count[f"racers {len(requests)}"] += 1
        self.crew.race(requests)

    # -- requests ---------------------------------------------------------------------

    def saves(
        self, document: Document, seen: Seen, count: int, *, same_section: bool,
        author_first: bool = False,
    ) -> list:  # fmt: skip
        """``count`` editors saving what they loaded, each with the version they read;
        ``author_first``: the author is one of them (typing on while leaders decide)."""
        keys = [self.rng.choice(SECTIONS)] * count if same_section else SECTIONS[:]
        self.rng.shuffle(keys)
        tabs: Counter = Counter()
        requests: list[Sent] = []
        for key in keys[:count]:
            user = self.author if author_first and not requests else self.rng.choice(self.editors)
            if requests and self.rng.random() < 0.15:
                double = requests[-1]  # a double click: the same form from the same person again
                tabs[double.user.pk] += 1
                requests.append(replace(double, client=self.tab(double.user, tabs[double.user.pk])))
                continue
            action = "autosave" if self.rng.random() < 0.88 else "save"
            sections = {key: self.words(key)}
            data = seen.editor_data() | {f"section_{k}": v for k, v in sections.items()}
            stale = seen.version > 0 and self.rng.random() < 0.1
            if stale:  # a tab left open since an earlier save
                data["base_version"] = seen.version - 1
            name = "prfaq:autosave" if action == "autosave" else "prfaq:edit"
            tabs[user.pk] += 1
            requests.append(
                Sent(action, user, self.tab(user, tabs[user.pk]),
                     reverse(name, args=[document.pk]), data, sections, stale)
            )  # fmt: skip
        return requests

    def verdict(self, document: Document, round_: ReviewRound, seen: Seen, user, decision: str):
        answers = YES if decision == "approve" else YES | {"plan": "not_yet"}
        data = answers | {
            "decision": decision,
            "rationale": f"{decision} by {user.username}",
            "revision": seen.revision.number,
            "version": seen.version,
        }
        url = reverse("reviews:verdict", args=[document.pk, round_.number])
        return Sent("verdict", user, self.tab(user), url, data, {"decision": decision})

    def crowd(self, low: int = 2, high: int = CREW) -> int:
        """How many race at once: mostly a few, sometimes the whole crew."""
        sizes = range(low, high + 1)
        return self.rng.choices(sizes, weights=CROWD_WEIGHTS[: len(sizes)])[0]

    def decision(self) -> str:
        roll = self.rng.random()
        return "approve" if roll < 0.9 else "request_changes" if roll < 0.95 else "reject"

    # -- setting the stage (sequential, through the workflow) --------------------------

    def fresh_round(self, document: Document, approvers, reviewers=()) -> ReviewRound:
        """A new open round on ``document``, whatever state the last race left it in."""
        self.make_submittable(document)
        document.refresh_from_db()
        round_ = submit_for_review(
            document=document,
            by=self.author,
            approvers=list(approvers),
            reviewers=list(reviewers),
            due_date=timezone.localdate() + timedelta(days=7),
            feedback_wanted="Is the plan credible?",
            acknowledgements=acknowledge_all(document),
        )
        if self.rng.random() < 0.5:
            self.author_edits(document)  # an autosave during the review: an unsealed revision
        return round_

    def deciders(self, document: Document) -> tuple[ReviewRound, list[User]]:
        """An open round (the last race's, often) and the approvers who race to decide it;
        the others approve first, mostly, so that the racers' verdicts decide."""
        round_ = document.rounds.open().first()
        pending = self.pending(round_) if round_ and self.rng.random() < 0.7 else []
        if not pending:  # no round open, a fresh start, or all approved but held by a concern
            approvers = self.rng.sample(self.leaders, self.rng.randint(1, 3))
            round_, pending = self.fresh_round(document, approvers), approvers
        racing = self.rng.sample(pending, self.rng.randint(1, len(pending)))
        if self.rng.random() < 0.7:
            self.approve_beforehand(round_, [u for u in pending if u not in racing])
        return round_, racing

    def pending(self, round_: ReviewRound) -> list[User]:
        """The round's approvers without a standing approval of the current text."""
        current = Document.objects.get(pk=round_.document_id).current_revision_id
        approved = round_.verdicts.filter(
            decision=Verdict.Decision.APPROVE, dismissed_at__isnull=True, revision=current
        ).values_list("reviewer", flat=True)
        pending = set(
            round_.assignments.filter(role=Assignment.Role.APPROVER)
            .exclude(user__in=approved)
            .values_list("user", flat=True)
        )
        return [u for u in self.leaders if u.pk in pending]

    def make_submittable(self, document: Document) -> None:
        round_ = document.rounds.open().first()
        if round_ is not None:
            withdraw_review(round=round_, by=self.author)
        document.refresh_from_db()
        if document.status in (Document.Status.APPROVED, Document.Status.REJECTED):
            self.author_edits(document)  # an edit makes it a draft again

    def author_edits(self, document: Document) -> None:
        document.refresh_from_db()
        content = document.current_revision.as_content()
        sections = {"call_to_action": self.words("call_to_action")}
        result = save_draft(
            document=document,
            by=self.author,
            title=document.title,
            content=Content(sections=content.sections | sections, faq=content.faq),
            base_version=document.version,
        )
        # It may fold over the author's own text from a race: the final sweep must know.
        self.writes.append(Write(len(self.writes), result.revision.pk, sections, self.race_number))

    def approve_beforehand(self, round_: ReviewRound, approvers) -> None:
        number = Document.objects.get(pk=round_.document_id).current_revision.number
        for user in approvers:
            give_verdict(
                round=round_, by=user, answers=YES, notes={}, decision="approve",
                rationale="Approved before the race.", seen_revision=number,
            )  # fmt: skip

    # -- the races --------------------------------------------------------------------

    def run(self, scenario: str) -> None:
        self.race_number += 1
        self.count[f"race: {scenario}"] += 1
        document = self.rng.choice(self.documents)
        if scenario in ("same section", "different sections"):
            self.race_saves(document, same_section=scenario == "same section")
        elif scenario == "double submit":
            self.race_double_submit(document)
        elif scenario == "verdict racing an edit":
            self.race_verdict_and_edit(document)
        elif scenario == "approvers at once":
            self.race_approvers(document)
        elif scenario == "withdraw racing a verdict":
            self.race_withdraw(document)
        else:
            self.race_concern(document)

    def race_saves(self, document: Document, *, same_section: bool) -> None:
        seen = Seen.of(document)
        saves = self.saves(document, seen, self.crowd(), same_section=same_section)
        self.race(saves)
        self.check_saves(document, seen, saves)
        self.check_status(document)

    def race_double_submit(self, document: Document) -> None:
        self.make_submittable(document)
        if self.rng.random() < 0.4:
            self.author_edits(document)
        seen = Seen.of(document)
        before = document.rounds.count()
        approvers = self.rng.sample(self.leaders, self.rng.randint(1, 3))
        data = {
            "revision": seen.revision.number,
            "version": seen.version,
            "approvers": [u.pk for u in approvers],
            "reviewers": [u.pk for u in self.rng.sample(self.reviewers, self.rng.randint(0, 2))],
            "due_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "feedback_wanted": "Is the plan credible?",
        } | {f"ack_{k}": v for k, v in acknowledge_all(document).items()}
        url = reverse("reviews:submit", args=[document.pk])
        copies = self.crowd(2, 4)
        submits = [Sent("submit", self.author, self.tab(self.author, 10 + i), url, data)
                   for i in range(copies)]  # fmt: skip
        saves = self.saves(document, seen, self.crowd(0, CREW - copies), same_section=False)
        self.race(submits + saves)
        self.check_saves(document, seen, saves)
        opened = [s for s in submits if s.status == 302]
        rounds = list(document.rounds.filter(number__gt=before).select_related("revision"))
        self.count["submits sent"] += len(submits)
        self.count["rounds opened"] += len(rounds)
        for s in submits:
            refused = s.status == 400 and s.says(
                "already in review", "changed since you opened this form"
            )
            if s.error or not (s.status == 302 or refused):
                self.problem("wrong status", f"submit: {s.status} {s.error}")
        if len(opened) != len(rounds) or len(rounds) > 1:
            self.problem(
                "rounds in two states",
                f"{copies} submits: {len(opened)} accepted, {len(rounds)} rounds opened",
            )
        for round_ in rounds:
            if round_.revision_id != seen.revision.pk or round_.revision.as_content() != (
                seen.content
            ):
                self.problem(
                    "submitted unseen text",
                    f"round {round_.number} pinned to text the author did not see "
                    f"(r{round_.revision.number}, saw r{seen.revision.number})",
                )
            self.check_round(round_.pk)
        self.check_status(document)

    def race_verdict_and_edit(self, document: Document) -> None:
        round_, deciding = self.deciders(document)
        seen = Seen.of(document)
        verdicts = [self.verdict(document, round_, seen, u, self.decision()) for u in deciding]
        count = self.crowd(1, CREW - len(verdicts))
        saves = self.saves(document, seen, count, same_section=False, author_first=True)
        self.race(verdicts + saves)
        self.check_saves(document, seen, saves)
        self.check_verdicts(round_, seen, verdicts)
        self.check_round(round_.pk)
        self.check_status(document)

    def race_approvers(self, document: Document) -> None:
        approvers = self.rng.sample(self.leaders, self.rng.randint(2, len(self.leaders)))
        reviewers = self.rng.sample(self.reviewers, self.rng.randint(0, len(self.reviewers)))
        round_ = self.fresh_round(document, approvers, reviewers)
        seen = Seen.of(document)
        verdicts = [self.verdict(document, round_, seen, u, self.decision()) for u in approvers]
        verdicts += [
            self.verdict(document, round_, seen, u, self.rng.choice(list(Verdict.Decision)))
            for u in reviewers
        ]
        self.race(verdicts)
        self.check_verdicts(round_, seen, verdicts)
        self.check_round(round_.pk)
        self.check_status(document)

    def race_withdraw(self, document: Document) -> None:
        round_, deciding = self.deciders(document)
        seen = Seen.of(document)
        url = reverse("reviews:withdraw", args=[document.pk, round_.number])
        withdrawals = [Sent("withdraw", self.author, self.tab(self.author, 10 + i), url, {})
                       for i in range(self.rng.randint(1, 2))]  # fmt: skip
        verdicts = [self.verdict(document, round_, seen, u, self.decision()) for u in deciding]
        room = CREW - len(withdrawals) - len(verdicts)
        saves = self.saves(document, seen, self.crowd(0, room), same_section=False)
        self.race(withdrawals + verdicts + saves)
        self.check_saves(document, seen, saves)
        self.check_verdicts(round_, seen, verdicts)
        state = ReviewRound.objects.get(pk=round_.pk).state
        accepted = [w for w in withdrawals if w.status == 302]
        for w in withdrawals:
            if w.error or not (w.status == 302 or (w.status == 400 and w.says(*DECIDED))):
                self.problem("wrong status", f"withdraw: {w.status} {w.error}")
        self.count["withdrawals accepted"] += len(accepted)
        if len(accepted) != (state == ReviewRound.State.WITHDRAWN):
            self.problem("rounds in two states", f"{len(accepted)} withdrawals; round {state}")
        self.check_round(round_.pk)
        self.check_status(document)

    def race_concern(self, document: Document) -> None:
        approvers = self.rng.sample(self.leaders, self.rng.randint(1, 3))
        reviewers = self.rng.sample(self.reviewers, self.rng.randint(0, len(self.reviewers)))
        round_ = self.fresh_round(document, approvers, reviewers)
        self.approve_beforehand(round_, approvers[1:])
        seen = Seen.of(document)
        verdicts = [self.verdict(document, round_, seen, approvers[0], "approve")]
        raisers = self.rng.sample(
            [self.author, *approvers, *reviewers], self.rng.randint(1, len(approvers) + 1)
        )
        url = reverse("reviews:concern", args=[document.pk, round_.number])
        concerns = [Sent("concern", u, self.tab(u, 20), url, {"text": f"Hold on, {u.username}."})
                    for u in raisers]  # fmt: skip
        self.race(verdicts + concerns)
        self.check_verdicts(round_, seen, verdicts)
        raised = Concern.objects.filter(round=round_).count()
        for c in concerns:
            if c.error or not (c.status == 302 or (c.status == 400 and c.says(*DECIDED))):
                self.problem("wrong status", f"concern: {c.status} {c.error}")
        accepted = sum(c.status == 302 for c in concerns)
        self.count["concerns raised"] += accepted
        if raised != accepted:
            self.problem("lost concerns", f"{accepted} concerns accepted, {raised} recorded")
        self.check_round(round_.pk)
        self.check_status(document)

    # -- what must hold after each race -----------------------------------------------

    def check_saves(self, document: Document, seen: Seen, saves: list[Sent]) -> None:
        now = Seen.of(document)
        for s in saves:
            self.count[f"{s.action}s sent"] += 1
            if s.error or s.status not in (200, 302, 409):
                self.problem("wrong status", f"{s.action} by {s.user}: {s.status} {s.error}")
        accepted = [s for s in saves if s.accepted]
        written = {s.key: s for s in accepted}  # a double click writes once
        increments = now.version - seen.version
        self.count["saves accepted"] += len(written)
        self.count["double clicks written once"] += len(accepted) - len(written)
        self.count["version increments"] += increments
        if len(written) != increments:
            self.problem("version gaps", f"{len(written)} saves accepted, version +{increments}")
        if any(s.stale for s in accepted):
            self.problem("lost texts", "a save based on an older version was accepted")
        if len(written) > 1:
            self.problem("lost texts", f"{len(written)} saves of version {seen.version} accepted")
        if len(written) == 1:
            self.check_written(seen, now, next(iter(written.values())))
        elif now.revision.pk != seen.revision.pk or now.content != seen.content:
            self.problem("lost texts", "the text changed though no save was accepted")
        for s in saves:
            if s.status == 409:
                self.check_kept(document, s, now)

    def check_written(self, seen: Seen, now: Seen, winner: Sent) -> None:
        """The winner's text is the document's now, in the revision the rules say."""
        expected = Content(sections=seen.content.sections | winner.sections, faq=seen.content.faq)
        if now.content != expected or now.revision.title != seen.revision.title:
            self.problem("lost texts", f"the current text is not the accepted {winner.action}'s")
        old = seen.revision
        foldable = (
            not old.sealed
            and old.author_id == winner.user.pk
            and timezone.now() - old.created_at < COALESCE_WINDOW
        )
        if now.revision.pk == old.pk:
            if not foldable:
                self.problem("lost texts", f"{winner.action} rewrote r{old.number} in place")
            self.count["revisions folded"] += 1
        else:
            if now.revision.number != old.number + 1:
                self.problem("version gaps", f"r{old.number} followed by r{now.revision.number}")
            if Revision.objects.get(pk=old.pk).as_content() != seen.content:
                self.problem("lost texts", f"r{old.number} changed after a newer one was written")
            self.count["revisions created"] += 1
        self.writes.append(
            Write(len(self.writes), now.revision.pk, winner.sections, self.race_number)
        )

    def check_kept(self, document: Document, s: Sent, now: Seen) -> None:
        """A refused save keeps its text: the editor's conflict page holds it, and the
        autosave's "Compare and merge" button posts it there."""
        self.count["saves rejected"] += 1
        page = s
        if s.action == "autosave":
            if not s.says("Your text is still here") or 'name="resolve"' not in s.body:
                self.problem("lost texts", "a refused autosave did not offer Compare and merge")
                return
            self.count["rejected autosaves kept"] += 1
            if self.rng.random() >= MERGE_CHECKS:
                return  # the button's page is the editor's conflict page, checked below
            self.count["merges tried"] += 1
            page = Sent("save", s.user, s.client, reverse("prfaq:edit", args=[document.pk]),
                        s.data | {"resolve": "1"}, s.sections)  # fmt: skip
            page.send()
            if page.status != 409:
                self.problem("wrong status", f"Compare and merge answered {page.status}")
                return
        kept = all(f"{text}</textarea>" in page.body for text in s.sections.values())
        rebased = [int(v) for v in BASE_VERSION.findall(page.body)]
        if not kept or not rebased or not s.data["base_version"] < rebased[0] <= now.version:
            self.problem("lost texts", f"a refused {s.action}'s text is not in its conflict page")
            return
        self.count["rejected saves kept" if s.action == "save" else "merges kept"] += 1

    def check_verdicts(self, round_: ReviewRound, seen: Seen, verdicts: list[Sent]) -> None:
        for v in verdicts:
            self.count["verdicts sent"] += 1
            refused = v.status == 400 and v.says(*DECIDED, *TEXT_CHANGED)
            if v.error or not (v.status == 302 or refused):
                self.problem("wrong status", f"verdict by {v.user}: {v.status} {v.error}")
            if v.status != 302:
                continue
            self.count["verdicts recorded"] += 1
            recorded = Verdict.objects.select_related("revision").get(round=round_, reviewer=v.user)
            if recorded.decision != v.sections["decision"]:
                self.problem("lost verdicts", f"{v.user} said {v.sections['decision']}")
            if recorded.revision_id != seen.revision.pk or (
                recorded.revision.as_content() != seen.content
            ):
                self.problem(
                    "approvals on another revision",
                    f"{v.user}'s {recorded.decision} counted on r{recorded.revision.number} "
                    f"whose text differs from the r{seen.revision.number} they read",
                )

    def check_round(self, round_pk: int) -> None:
        """One state per round: its timeline, its decision and its verdicts agree."""
        round_ = ReviewRound.objects.select_related("document").get(pk=round_pk)
        State = ReviewRound.State
        ends = list(
            round_.events.filter(kind__in=[Event.Kind.DECISION, Event.Kind.WITHDRAWN])
            .order_by("pk")
            .values_list("kind", flat=True)
        )
        expected = {State.OPEN: [], State.WITHDRAWN: [Event.Kind.WITHDRAWN]}.get(
            round_.state, [Event.Kind.DECISION]
        )
        if ends != expected:
            self.problem("rounds in two states", f"round {round_.number} {round_.state}: {ends}")
        approvers = set(
            round_.assignments.filter(role=Assignment.Role.APPROVER).values_list("user", flat=True)
        )
        counted = list(round_.verdicts.filter(reviewer__in=approvers, dismissed_at__isnull=True))
        decisions = {v.decision for v in counted}
        approving = [v for v in counted if v.decision == Verdict.Decision.APPROVE]
        if round_.state == State.APPROVED:
            if {v.reviewer_id for v in approving} != approvers or any(
                v.revision_id != round_.decided_revision_id for v in approving
            ):
                self.problem("approvals on another revision", f"round {round_.number} approved")
            if round_.concerns.filter(resolved_at__isnull=True).exists():
                self.problem("rounds in two states", "approved with a blocking concern open")
        elif round_.state == State.REJECTED and Verdict.Decision.REJECT not in decisions:
            self.problem("rounds in two states", "rejected without a reject")
        elif round_.state == State.CHANGES_REQUESTED and (
            Verdict.Decision.REQUEST_CHANGES not in decisions
        ):
            self.problem("rounds in two states", "changes requested without a request")
        elif round_.state == State.OPEN:
            current = round_.document.current_revision_id
            if decisions - {Verdict.Decision.APPROVE}:
                self.problem("rounds in two states", "open after a deciding verdict")
            if any(v.revision_id != current for v in approving):
                self.problem("approvals on another revision", "an approval of older text stands")

    def check_status(self, document: Document) -> None:
        """The document's status says what its rounds say."""
        d = Document.objects.get(pk=document.pk)
        rounds = list(d.rounds.order_by("-number")[:2])
        last = rounds[0] if rounds else None
        open_ = last is not None and last.is_open
        S, R = Document.Status, ReviewRound.State
        if d.status == S.IN_REVIEW:
            fine = open_
        elif d.status in (S.APPROVED, S.REJECTED):
            fine = last is not None and last.state == d.status
            fine = fine and last.decided_revision_id == d.current_revision_id
        elif d.status == S.CHANGES_REQUESTED:
            fine = last is not None and last.state == R.CHANGES_REQUESTED
        else:
            fine = (
                last is None
                or last.state == R.WITHDRAWN
                or (
                    last.state in (R.APPROVED, R.REJECTED)
                    and last.decided_revision_id != d.current_revision_id
                )
            )
        if not fine or any(r.is_open for r in rounds[1:]):
            state = last.state if last else "no round"
            self.problem("rounds in two states", f"document {d.status}, last round {state}")

    def check_everything(self) -> None:
        """After the last race: every text, revision and round, and check_integrity."""
        for document in self.documents:
            numbers = list(document.revisions.order_by("number").values_list("number", flat=True))
            if numbers != list(range(1, len(numbers) + 1)):
                self.problem("version gaps", f"document {document.pk} revisions {numbers}")
            for pk in document.rounds.values_list("pk", flat=True):
                self.check_round(pk)
        contents = {
            r.pk: r.as_content()
            for r in Revision.objects.filter(pk__in={w.revision_id for w in self.writes})
        }
        for w in self.writes:
            for key, text in w.sections.items():
                if contents[w.revision_id].section(key) == text:
                    continue
                # Only its author's next autosave may fold over a text, in the same revision.
                if any(
                    later.revision_id == w.revision_id and key in later.sections
                    for later in self.writes[w.order + 1 :]
                ):
                    self.count["texts folded over by their author"] += 1
                else:
                    self.problem("lost texts", f"{text!r} (race {w.race}) is in no revision")
        for problem in inconsistencies():
            self.problem("check_integrity", problem)


@pytest.fixture
def _no_template_capture(monkeypatch):
    """The test client copies the context of every template rendered, for every client
    listening at that moment: with eight at once that is most of the run's time, and these
    races read responses, never contexts."""
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *a, **kw: None)


@pytest.mark.usefixtures("_no_template_capture")
def test_randomised_races_lose_nothing_and_count_nothing_twice(request):
    rng = random.Random(SEED)
    started = time.monotonic()
    races = Races(rng)
    try:
        for scenario in rng.choices(list(SCENARIOS), weights=SCENARIOS.values(), k=RACES):
            races.run(scenario)
        races.check_everything()
    finally:
        races.crew.close()
    c = races.count
    lines = figures(c, seconds=time.monotonic() - started)
    request.node.user_properties.append(("figures", ["randomised races", lines]))
    assert races.problems == [], "\n".join(races.problems[:30])
    assert (
        c["saves accepted"]
        == c["version increments"]
        == (c["revisions created"] + c["revisions folded"])
    )
    assert c["saves rejected"] == c["rejected autosaves kept"] + c["rejected saves kept"]
    assert c["merges kept"] == c["merges tried"]


def figures(c: Counter, *, seconds: float) -> list[str]:
    def kinds(prefix: str) -> str:
        return ", ".join(
            f"{k.removeprefix(prefix)}: {v}" for k, v in c.items() if k.startswith(prefix)
        )

    races = sum(v for k, v in c.items() if k.startswith("race: "))
    racers = dict(sorted((int(k.split()[1]), v) for k, v in c.items() if k.startswith("racers ")))
    return [
        f"races: {races:,} in {seconds:.0f} s (seed {SEED}; RACE_SEED={SEED} replays the "
        f"choices) · requests at once: "
        + ", ".join(f"{n} in {v} races" for n, v in racers.items())
        + f" · {kinds('race: ')}",
        f"saves accepted {c['saves accepted']:,} = version increments "
        f"{c['version increments']:,} = revisions written "
        f"{c['revisions created'] + c['revisions folded']:,} ({c['revisions folded']:,} folded "
        f"into their author's own autosave, as designed) · version gaps {c['version gaps']} · "
        f"double clicks written once {c['double clicks written once']:,}",
        f"saves rejected {c['saves rejected']:,}, all 409 with the text kept: "
        f"{c['rejected saves kept']:,} editor saves on the conflict page, "
        f"{c['rejected autosaves kept']:,} autosaves offering Compare and merge "
        f"({c['merges kept']:,} of {c['merges tried']:,} tried have the text on its page) · "
        f"lost texts {c['lost texts']}",
        f"verdicts {c['verdicts sent']:,} ({c['verdicts recorded']:,} recorded) · approvals on "
        f"another revision {c['approvals on another revision']} · submits {c['submits sent']:,}, "
        f"{c['rounds opened']:,} rounds opened, {c['submitted unseen text']} on unseen text · "
        f"withdrawals {c['withdrawals accepted']:,} · concerns {c['concerns raised']:,} · rounds "
        f"in two states {c['rounds in two states']} · wrong statuses {c['wrong status']} · "
        f"check_integrity problems {c['check_integrity']}",
    ]
