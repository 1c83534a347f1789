"""Reading a PR/FAQ pasted from a word processor: no headings, just paragraphs.

Press releases follow a convention strong enough to read without headings:
a headline line, a subheading line, a summary that opens with a dateline
(``CITY — DATE —``), then the problem, the solution, a leader's quote, how to
get started, a customer's quote and a call to action, then the FAQ. Quotes
and calls to action have clear marks; the problem and the solution are told
apart by position and by what dominates them: the customer's pain, or the
product. The user checks the assignment before anything is saved.
"""

import re

from prfaq.content import Content, FaqEntry
from prfaq.cues import (
    PAIN,
    TODAY,
    count,
    pain_score,
    product_names,
    solution_first_reason,
    words,
)
from prfaq.document_templates import TEMPLATES
from prfaq.markdown_io import Imported, ImportError_

_DASH = r"(?:\u2014|\u2013|--|-)"
DATELINE = re.compile(
    rf"^[\"'\u201c]?[A-Z][\w.'\u2019 ,()/-]{{1,80}}?\s*{_DASH}?\s*"
    rf"(?:[A-Za-z]{{3,9}}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d|\d{{1,2}}(?:st|nd|rd|th)?\s+"
    rf"[A-Za-z]{{3,9}}\.?,?\s+(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d)\s*{_DASH}"
)
FAQ_START = re.compile(
    r"^\W*(?:frequently\s+asked\s+questions|faqs?|customer\s+faq|external\s+faq|internal\s+faq"
    r"|stakeholder\s+faq|questions\s+and\s+answers|q\s*&\s*a)\W*$",
    re.IGNORECASE,
)
SIDE_MARK = re.compile(
    r"^\W*(?:(customer|external|public)|(internal|stakeholder))\s+(?:faq|questions)\W*$",
    re.IGNORECASE,
)
# Matched against stripped lines; no trailing \s*$, which would backtrack on long runs of spaces.
QUESTION_LINE = re.compile(r"^(?:\*\*)?\s*(?:Q|Question)\s*[:.)]\s*(\S.*?)(?:\*\*)?$")
ANSWER_LINE = re.compile(r"^(?:\*\*)?\s*(?:A|Answer)\s*[:.)]\s*(?:\*\*)?\s*(.*)$")
BOLD_QUESTION = re.compile(r"^(?:\*\*|__)(\S.*?)(?:\*\*|__)$")
QUOTE = re.compile(r"[\"\u201c][^\"\u201c\u201d]{12,}[\"\u201d]")
LEADER_ROLE = re.compile(
    r"\b(?:ceo|cto|cfo|coo|chief|founder|co-founder|president|vice president|vp|head of"
    r"|director|general manager|gm|managing director|lead|leader|owner of the team|manager of"
    r"|product manager|programme|program|svp|evp|chair)\b",
    re.IGNORECASE,
)
CALL_TO_ACTION = re.compile(
    r"\b(?:sign up|signup|available (?:today|now|from)|get started|start (?:a|your) (?:free )?"
    r"trial|visit|learn more|download|order|apply|register|join|contact|find out|try it|request"
    r"|book a|call \d|text \w+ to|go to|today at|is available|are available)\b|https?://|www\.|\.\w{2,}/"
    r"|\b\w+\.(?:com|example|org|io|co\.uk|net)\b",
    re.IGNORECASE,
)
HOW_IT_WORKS = re.compile(
    r"\b(?:to get started|getting started|to start|step|steps|first,|then|next,|finally|sign up"
    r"|connect|install|download|set up|setup|choose|pick|tap|click|costs?|price|pricing|per month"
    r"|sign in|log in|turn on|switch on|open the app|enable|scan the|plug in"
    r"|a month|a year|per year|subscription|free for|free trial|plan starts)\b"
    r"|^\s*(?:\d+[.)]|[-*])\s",
    re.IGNORECASE | re.MULTILINE,
)
INTERNAL_QUESTION = re.compile(
    r"how many|how big|market|addressable|why (?:should )?(?:we|us|our)|why is \w+ the right"
    r"|strategy|strategic|why now|timing|depend|partner|third.part|other teams|cost us|budget"
    r"|invest|pay ?back|break.even|revenue|margin|profit|financ|technical|hardest|risk|scale"
    r"|feasib|engineering|headcount|team size|legal|regulat|compet",
    re.IGNORECASE,
)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _single_line(paragraph: str) -> bool:
    return "\n" not in paragraph and len(words(paragraph)) <= 40


def parse_prose(text: str) -> Imported:
    blocks = _paragraphs(text)
    faq_at = _faq_start(blocks)
    release, faq_blocks = blocks[:faq_at], blocks[faq_at:]
    if len(release) > MAX_PARAGRAPHS:
        raise ImportError_(
            f"The text has {len(release):,} paragraphs before its FAQ; a press release has about "
            f"ten. Import a PR/FAQ of at most {MAX_PARAGRAPHS} paragraphs, or add headings."
        )
    if not release and not faq_blocks:
        raise ImportError_("The file has no text to read.")
    notes: list[str] = []
    assigned: list[tuple[str, str]] = []
    index = 0
    headline = subheading = summary = ""
    summary_at = next((i for i, b in enumerate(release[:4]) if DATELINE.match(b)), None)
    if summary_at is None:
        notes.append(
            "No dateline (CITY \u2014 DATE \u2014) found: check which paragraph is the summary."
        )
    if release and _single_line(release[0]) and summary_at != 0:
        headline, index = release[0], 1
        assigned.append((headline, "headline"))
    if summary_at is not None and summary_at > index:
        between = release[index:summary_at]
        if between:
            subheading = " ".join(between)
            assigned.append((subheading, "subheading"))
        index = summary_at
    elif len(release) > index and _single_line(release[index]) and summary_at is None:
        subheading = release[index]
        assigned.append((subheading, "subheading"))
        index += 1
    if summary_at is not None:
        summary = release[summary_at]
        assigned.append((summary, "summary"))
        index = summary_at + 1
    names = product_names("", headline, summary)
    assigned += classify_body(release[index:], names)
    faq, faq_notes = _parse_faq(faq_blocks)
    notes += faq_notes
    if summary_at is None and not faq:
        notes.append(
            "This does not read like a PR/FAQ: no dateline summary and no FAQ were found, so "
            "the sections below are guesses."
        )
    if not headline and not faq and not any(key for _, key in assigned if key != "ignore"):
        raise ImportError_("Nothing in the text looks like a press release or an FAQ.")
    template = TEMPLATES["prfaq"]
    sections: dict[str, list[str]] = {}
    for paragraph, key in assigned:
        if key != "ignore":
            sections.setdefault(key, []).append(paragraph)
    content = Content(
        sections={s.key: "\n\n".join(sections.get(s.key, [])) for s in template.text_sections},
        faq=tuple(faq),
    )
    title = headline or (summary[:80] if summary else "Imported PR/FAQ")
    return Imported(
        title=title[:200],
        template=template,
        content=content,
        format="prose",
        notes=notes,
        paragraphs=assigned,
    )


def _faq_start(blocks: list[str]) -> int:
    for i, block in enumerate(blocks):
        first = block.split("\n")[0].strip()
        if FAQ_START.match(first) or SIDE_MARK.match(first) or QUESTION_LINE.match(first):
            return i
        if i > 2 and BOLD_QUESTION.match(first) and first.rstrip("*_ ").endswith("?"):
            return i
    return len(blocks)


QUOTE_ATTRIBUTION = re.compile(
    r"[\"\u201d]\s*,?\s*(?:[\w.'\u2019-]+\s+){0,6}?(?:said|says|explains|explained|adds|added"
    r"|recalls|recalled)\b"
    r"|\b(?:said|says|explains|explained|adds|added)\b[^\"\u201c.]{0,100}[:,]\s*[\"\u201c]",
    re.IGNORECASE,
)


def _is_quote(paragraph: str) -> bool:
    """A quotation with its attribution, as press releases write them."""
    if not QUOTE.search(paragraph):
        return False
    return paragraph.lstrip()[0] in '"\u201c' or bool(QUOTE_ATTRIBUTION.search(paragraph))


def classify_body(paragraphs: list[str], names: frozenset[str]) -> list[tuple[str, str]]:
    """Assign the paragraphs after the summary to the press release's sections."""
    labels: list[str | None] = [None] * len(paragraphs)
    quotes = [i for i, p in enumerate(paragraphs) if _is_quote(p)]
    leader = next((i for i in quotes if LEADER_ROLE.search(_attribution(paragraphs[i]))), None)
    for i in quotes:
        if leader is None and i == quotes[0] and len(quotes) > 1:
            leader = i
        labels[i] = "leader_quote" if i == leader else "customer_quote"
    last = len(paragraphs) - 1
    if (
        last >= 0
        and labels[last] is None
        and (CALL_TO_ACTION.search(paragraphs[last]) and len(words(paragraphs[last])) <= 60)
    ):
        labels[last] = "call_to_action"
    body = [i for i, label in enumerate(labels) if label is None]
    first_quote = quotes[0] if quotes else len(paragraphs)
    for i in body:
        if i > first_quote and HOW_IT_WORKS.search(paragraphs[i]):
            labels[i] = "how_it_works"
    body = [i for i in body if labels[i] is None]
    early = [i for i in body if i < first_quote] or body[:2]
    if early:
        first = early[0]
        if len(early) >= 2 or _reads_as_pain(paragraphs[first], names):
            labels[first] = "problem"
        for i in early[1:] if labels[first] == "problem" else early:
            labels[i] = "solution"
    for i in body:
        if labels[i] is None:
            labels[i] = "how_it_works" if HOW_IT_WORKS.search(paragraphs[i]) else "solution"
    return [(p, label or "solution") for p, label in zip(paragraphs, labels, strict=True)]


def _attribution(paragraph: str) -> str:
    return QUOTE.sub(" ", paragraph)


def _reads_as_pain(paragraph: str, names: frozenset[str]) -> bool:
    """A lone paragraph before the quotes is the problem only if pain dominates it."""
    if solution_first_reason(paragraph, names):
        return False
    return pain_score(paragraph) >= 4 and count(PAIN, paragraph) + count(TODAY, paragraph) >= 2


INTERNAL_TOPICS = {"market-size", "strategy-fit", "why-now", "dependencies", "finances",
                   "technical-risk"}  # fmt: skip
MAX_PARAGRAPHS = 150


def _parse_faq(blocks: list[str]) -> tuple[list[FaqEntry], list[str]]:
    lines = [line for block in blocks for line in (*block.split("\n"), "")]
    entries: list[dict] = []
    side: str | None = None
    current: dict | None = None
    expecting_answer = False
    for line in lines:
        stripped = line.strip()
        mark = SIDE_MARK.match(stripped)
        if mark:
            side = "external" if mark.group(1) else "internal"
            current = None
            continue
        if FAQ_START.match(stripped):
            continue
        question = QUESTION_LINE.match(stripped)
        bold = BOLD_QUESTION.match(stripped)
        if question or (bold and bold.group(1).rstrip().endswith("?")):
            text = (question.group(1) if question else bold.group(1)).strip().strip("*_ ")
            current = {"q": text, "a": [], "side": side}
            entries.append(current)
            expecting_answer = True
            continue
        answer = ANSWER_LINE.match(stripped)
        if current is not None and answer:
            current["a"].append(answer.group(1))
            expecting_answer = False
            continue
        if current is not None and (stripped or (current["a"] and not expecting_answer)):
            current["a"].append(stripped)
    faq = []
    for item in entries:
        answer = "\n".join(item["a"]).strip()
        answer = re.sub(r"\n{3,}", "\n\n", answer)
        topic = _topic(item["q"])
        internal = topic in INTERNAL_TOPICS or INTERNAL_QUESTION.search(item["q"])
        side = item["side"] or ("internal" if internal else "external")
        faq.append(FaqEntry(question=item["q"][:1000], answer=answer, side=side, topic=topic))
    notes = []
    unanswered = sum(1 for e in faq if not e.answer)
    if unanswered:
        notes.append(f"FAQ questions without an answer: {unanswered}.")
    return faq, notes


_TOPIC_CUES = (
    ("market-size", r"how many|how big|market|addressable|could use"),
    (
        "strategy-fit",
        r"why (?:should )?(?:we|us|our)|why is \w+ the right|strategy|strategic|right company"
        r"|right team",
    ),
    ("why-now", r"why now|why this year|timing"),
    ("dependencies", r"depend|partner|third.part|other teams|rely on"),
    (
        "finances",
        r"cost us|cost to build|budget|invest|pay ?back|break.even|revenue|margin|profit|financ"
        r"|what will it cost",
    ),
    ("technical-risk", r"technical|hardest|risk|feasib|engineering"),
    ("legal", r"legal|regulat|privacy|gdpr|compliance|licen[cs]"),
    ("metrics", r"measure|metric|success look|know (?:it|if it) work"),
)


def _topic(question: str) -> str:
    for key, pattern in _TOPIC_CUES:
        if re.search(pattern, question, re.IGNORECASE):
            return key
    return ""
