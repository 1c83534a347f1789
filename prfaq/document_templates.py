"""The templates a PR/FAQ is written from, defined once, in code.

A template is an ordered list of sections. Every section has guidance shown
beside it while writing, a required flag and a word budget; the FAQ is one
section of kind ``faq`` holding question/answer pairs.
"""

from dataclasses import dataclass
from enum import StrEnum


class SectionKind(StrEnum):
    TEXT = "text"
    FAQ = "faq"


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    title: str
    guidance: str
    word_budget: int
    required: bool = True
    kind: SectionKind = SectionKind.TEXT
    single_line: bool = False

    @property
    def is_faq(self) -> bool:
        return self.kind == SectionKind.FAQ


@dataclass(frozen=True, slots=True)
class DocumentTemplate:
    key: str
    name: str
    description: str
    sections: tuple[SectionSpec, ...]

    @property
    def text_sections(self) -> tuple[SectionSpec, ...]:
        return tuple(s for s in self.sections if not s.is_faq)

    @property
    def faq_section(self) -> SectionSpec | None:
        return next((s for s in self.sections if s.is_faq), None)

    def section(self, key: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.key == key), None)


# The FAQ topics of DESIGN.md; they let the gates see whether the plan is argued.
FAQ_TOPICS: tuple[tuple[str, str], ...] = (
    ("customer", "Customer"),
    ("market-size", "Market size"),
    ("strategy-fit", "Strategy fit"),
    ("why-now", "Why now"),
    ("dependencies", "Dependencies"),
    ("finances", "Finances"),
    ("technical-risk", "Technical risk"),
    ("legal", "Legal"),
    ("metrics", "Metrics"),
    ("other", "Other"),
)
FAQ_SIDES: tuple[tuple[str, str], ...] = (
    ("external", "External (customer)"),
    ("internal", "Internal (stakeholder)"),
)

HEADLINE = SectionSpec(
    key="headline",
    title="Headline",
    guidance=(
        "Name the product and what it does for the customer, in words the customer "
        "would use. One line; no jargon, no internal code names."
    ),
    word_budget=20,
    single_line=True,
)
PROBLEM = SectionSpec(
    key="problem",
    title="Problem",
    guidance=(
        "Describe the customer's pain today, before your product exists: who suffers, "
        "how often, and what it costs them. Do not mention the product here. "
        "\u201cMaybe if you don\u2019t have a problem paragraph there\u2019s not "
        "really a problem.\u201d"
    ),
    word_budget=120,
)
SOLUTION = SectionSpec(
    key="solution",
    title="Solution",
    guidance=(
        "How the product removes that pain, from the customer's point of view. "
        "Say what changes for them, not how it is built."
    ),
    word_budget=120,
)

PRFAQ = DocumentTemplate(
    key="prfaq",
    name="PR/FAQ",
    description=(
        "The full working backwards document: a one-page press release written for the "
        "launch day, then the questions customers and stakeholders will ask."
    ),
    sections=(
        HEADLINE,
        SectionSpec(
            key="subheading",
            title="Subheading",
            guidance=(
                "One sentence under the headline: who the customer is and the single "
                "most important benefit they get."
            ),
            word_budget=40,
            single_line=True,
        ),
        SectionSpec(
            key="summary",
            title="Summary",
            guidance=(
                "Open with a dateline (CITY \u2014 Month D, YYYY \u2014). In three or four "
                "sentences, say what launches, for whom, and why it matters. Assume the "
                "reader reads nothing else."
            ),
            word_budget=100,
        ),
        PROBLEM,
        SOLUTION,
        SectionSpec(
            key="leader_quote",
            title="Leader quote",
            guidance=(
                "A quote from the leader who owns this, explaining why the team built it. "
                "It should say something the rest of the release does not."
            ),
            word_budget=60,
            required=False,
        ),
        SectionSpec(
            key="how_it_works",
            title="How it works / getting started",
            guidance=(
                "How a customer starts using it, step by step, and what it costs. "
                "Make it concrete enough that a reader could try it tomorrow."
            ),
            word_budget=100,
        ),
        SectionSpec(
            key="customer_quote",
            title="Customer quote",
            guidance=(
                "A believable quote from a named customer describing the pain it removed "
                "and the benefit in their words."
            ),
            word_budget=60,
            required=False,
        ),
        SectionSpec(
            key="call_to_action",
            title="Call to action",
            guidance="Where and how the customer gets it, in one or two sentences.",
            word_budget=30,
        ),
        SectionSpec(
            key="faq",
            title="FAQ",
            guidance=(
                "External questions are the ones customers and the press would ask. "
                "Internal questions are for stakeholders: market size, strategy fit, why now, "
                "dependencies, finances, technical risk. Answer first, then explain; put "
                "numbers where numbers belong."
            ),
            word_budget=2500,
            kind=SectionKind.FAQ,
        ),
    ),
)

ONE_PAGER = DocumentTemplate(
    key="one-pager",
    name="One-pager",
    description=(
        "A lighter template for features too small for a full PR/FAQ: the problem, "
        "the solution, how you will know it worked, and a short FAQ."
    ),
    sections=(
        HEADLINE,
        SectionSpec(
            key="problem",
            title=PROBLEM.title,
            guidance=PROBLEM.guidance,
            word_budget=150,
        ),
        SectionSpec(
            key="solution",
            title=SOLUTION.title,
            guidance=SOLUTION.guidance,
            word_budget=150,
        ),
        SectionSpec(
            key="success",
            title="How we will know it worked",
            guidance=(
                "The measures that will tell you, after launch, that the customer's "
                "problem is solved: the metric, today's value, the target and by when."
            ),
            word_budget=100,
        ),
        SectionSpec(
            key="faq",
            title="FAQ",
            guidance=("The few questions a reviewer will ask first. Answer first, then explain."),
            word_budget=1000,
            kind=SectionKind.FAQ,
            required=False,
        ),
    ),
)

TEMPLATES: dict[str, DocumentTemplate] = {t.key: t for t in (PRFAQ, ONE_PAGER)}
TEMPLATE_CHOICES: list[tuple[str, str]] = [(t.key, t.name) for t in TEMPLATES.values()]


def get_template(key: str) -> DocumentTemplate:
    """The template with this key; unknown keys fall back to nothing and raise KeyError."""
    return TEMPLATES[key]
