"""Bezos's three investment criteria: a big idea? should we? a plan to succeed?

Leadership asks these of anything new. The gates look for evidence in the
press release and the FAQ (by topic, or by what the question asks) and say
what is missing and where it would go. They never decide: people do.
"""

import re
from collections.abc import Iterator

from prfaq.content import FaqEntry
from prfaq.cues import has_number
from reviews.gates import gate
from reviews.gates.base import Draft, Finding, Severity

TOPIC_QUESTIONS = {
    "market-size": r"how many|how big|market|addressable|\bsize\b|customers could|could use|demand",
    "customer": r"who (?:is|are) the customer|which customers|who (?:is it|it is) for",
    "strategy-fit": r"why (?:should )?(?:we|us|our)|strategy|strategic|fit|why is \w+ the right"
    r"|right (?:team|company)|advantage|why \w+ (?:and not|rather)",
    "why-now": r"why now|why this year|why today|timing|why not (?:earlier|later|wait)",
    "dependencies": r"depend|partner|outside (?:our|the) team|third.part|other teams|need from"
    r"|rely on|relies on|supplier|vendor",
    "finances": r"cost|budget|invest|pay ?back|break.even|revenue|margin|price|financ|spend"
    r"|profit|how much (?:will|does|would)",
    "technical-risk": r"technical|hardest|risk|scale|feasib|engineering|hurdle|unknown"
    r"|what could go wrong|challenge",
}


def answered_on(draft: Draft, topic: str, *, internal_only: bool = False) -> list[FaqEntry]:
    """FAQ entries with an answer that address ``topic``, by their topic or their question."""
    pattern = re.compile(TOPIC_QUESTIONS[topic], re.IGNORECASE)
    entries = draft.internal_faq if internal_only else draft.faq
    return [
        e
        for e in entries
        if e.answer.strip() and (e.topic == topic or (not e.topic and pattern.search(e.question)))
    ]


def _finding(gate_id: str, criterion: str, missing: list[str]) -> Finding:
    return Finding(
        gate=gate_id,
        severity=Severity.WARNING,
        section="faq",
        message=f"{criterion} Missing: " + "; ".join(missing) + ".",
    )


@gate("big-idea")
def big_idea(draft: Draft) -> Iterator[Finding]:
    """Is it a big idea? Evidence: customers affected, market size, size of the pain."""
    missing = []
    if draft.text("problem") and not has_number(draft.text("problem")):
        missing.append(
            "the size of the pain in the problem paragraph (how often, how long, what it costs)"
        )
    market = answered_on(draft, "market-size")
    if not market:
        missing.append(
            "an internal FAQ answer on market size (topic \u201cMarket size\u201d): how many "
            "customers have this problem and what they would pay"
        )
    elif not any(has_number(e.answer) for e in market):
        missing.append("numbers in the market-size answer")
    if missing:
        yield _finding("big-idea", "Is it a big idea?", missing)


@gate("should-we")
def should_we(draft: Draft) -> Iterator[Finding]:
    """Is it something we should be doing? Evidence: strategy fit, why us, why now."""
    missing = []
    if not answered_on(draft, "strategy-fit"):
        missing.append(
            "an internal FAQ answer on strategy fit and why we are the ones to build it "
            "(topic \u201cStrategy fit\u201d)"
        )
    if not answered_on(draft, "why-now"):
        missing.append("an FAQ answer on why now (topic \u201cWhy now\u201d)")
    if missing:
        yield _finding("should-we", "Is it something we should be doing?", missing)


@gate("plan-to-succeed")
def plan_to_succeed(draft: Draft) -> Iterator[Finding]:
    """Is there a legitimate plan to succeed? Evidence: the internal FAQ's hard answers."""
    missing = []
    if not answered_on(draft, "dependencies", internal_only=True):
        missing.append(
            "an internal FAQ answer on dependencies: what has to go right outside the team "
            "(topic \u201cDependencies\u201d)"
        )
    finances = answered_on(draft, "finances", internal_only=True)
    if not finances:
        missing.append(
            "an internal FAQ answer on finances: cost, revenue, when it pays back "
            "(topic \u201cFinances\u201d)"
        )
    elif not any(has_number(e.answer) for e in finances):
        missing.append("numbers in the finances answer")
    if not answered_on(draft, "technical-risk", internal_only=True):
        missing.append(
            "an internal FAQ answer on technical risk: the hardest part and how you will "
            "retire it (topic \u201cTechnical risk\u201d)"
        )
    if missing:
        yield _finding("plan-to-succeed", "Is there a legitimate plan to succeed?", missing)
