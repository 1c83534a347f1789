"""The problem paragraph: is there one, and is it about the customer?

Working backwards starts from a customer problem. Bezos: "maybe if you don't
have a problem paragraph there's not really a problem". And the most common
failure is starting from a solution and retrofitting a problem to it, which
shows as a problem paragraph that talks about the product.
"""

from collections.abc import Iterator

from prfaq.cues import PAIN, TODAY, count, first_sentence, is_token_text, solution_first_reason
from reviews.gates import gate
from reviews.gates.base import Draft, Finding, Severity, excerpt

BEZOS = (
    "\u201cMaybe if you don\u2019t have a problem paragraph there\u2019s not really a "
    "problem.\u201d"
)


@gate("problem-paragraph")
def problem_paragraph(draft: Draft) -> Iterator[Finding]:
    """Blocker: the press release must state the customer's problem."""
    if not draft.has_section("problem"):
        return
    text = draft.text("problem")
    if not text:
        opening = "The press release has no problem paragraph."
    elif is_token_text(text):
        opening = "The problem paragraph is a placeholder or too short to state a problem."
    elif states_no_pain(text, draft.product_names):
        opening = "The problem paragraph describes the product and no customer problem at all."
    else:
        return
    yield Finding(
        gate="problem-paragraph",
        severity=Severity.BLOCKER,
        section="problem",
        message=(
            f"{opening} Under \u201c{draft.title_of('problem')}\u201d, describe what the "
            f"customer suffers today, before the product exists. {BEZOS}"
        ),
        excerpt=excerpt(text),
    )


def states_no_pain(text: str, names: frozenset[str]) -> bool:
    """Product talk that names or announces the product, or shows no trace of anybody's pain."""
    reason = solution_first_reason(text, names)
    if reason is None:
        return False
    pain = count(PAIN, text) + count(TODAY, text)
    # Opening with the product's name is a solution paragraph, unless pain fills it.
    return pain < (6 if reason.kind == "name" else 2)


@gate("problem-first")
def problem_first(draft: Draft) -> Iterator[Finding]:
    """Warning: the problem paragraph describes the customer's pain, not the product."""
    text = draft.text("problem")
    if not draft.has_section("problem") or is_token_text(text):
        return
    reason = solution_first_reason(text, draft.product_names)
    if reason:
        yield Finding(
            gate="problem-first",
            severity=Severity.WARNING,
            section="problem",
            message=(
                f"The problem paragraph {reason}. Describe the customer and what the problem "
                f"costs them today; keep the product for \u201c{draft.title_of('solution')}\u201d."
            ),
            excerpt=excerpt(first_sentence(text)),
        )
