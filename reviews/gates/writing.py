"""Writing: answer first, answer every question, data instead of adjectives.

Amazon's narrative culture asks for answers that lead with the answer, and
for numbers where an adjective would hide the lack of them.
"""

import re
from collections.abc import Iterator
from functools import lru_cache

from prfaq.cues import find, first_sentence, has_number, sentences, word_pattern
from reviews.gates import gate
from reviews.gates.base import Draft, Finding, Severity, excerpt

YES_NO_QUESTION = re.compile(
    r"^\W*(?:do|does|did|is|are|was|were|can|could|will|would|should|shall|has|have|had|may"
    r"|might|must|won't|isn't|aren't|doesn't|don't|can't)\b",
    re.IGNORECASE,
)
DIRECT_ANSWER = re.compile(
    r"^\W*(?:yes|no|not|only|partly|partially|mostly|sometimes|always|never|both|neither"
    r"|absolutely|definitely|certainly|usually|rarely|none|all|it does|it will|it can|they do"
    r"|we do|we will|we can|we won't|it won't|it doesn't)\b",
    re.IGNORECASE,
)
FILLER_OPENING = re.compile(
    r"^\W*(?:great question|good question|that(?:'s|\u2019s| is) a (?:great|good) question"
    r"|it depends|well,|as you know|as mentioned|to answer this|in order to answer"
    r"|there are (?:many|several|a number of) factors)",
    re.IGNORECASE,
)
# Found in a lowercased sentence, as a prefix tree (prfaq.cues.find): a tenth of the time of
# matching the words one after the other, case aside.
WEASEL = word_pattern(
    "significant|significantly|substantial|substantially|numerous|countless|huge|massive"
    "|vast|vastly|tremendous|tremendously|enormous|enormously|dramatic|dramatically"
    "|extremely|very|world-class|best-in-class|industry-leading|market-leading|revolutionary"
    "|game-changing|cutting-edge|state-of-the-art|next-generation|seamless|seamlessly|robust"
    "|innovative|unparalleled|unprecedented|a lot of|lots of|many|various|several|most|some"
    "|clearly|obviously|arguably|virtually|literally|experts say|it is believed|studies show"
    "|up to",
    whole_words=True,
)
MAX_PER_SECTION = 3


@gate("writing")
def writing(draft: Draft) -> Iterator[Finding]:
    yield from _faq_answers(draft)
    yield from _weasel_words(draft)


def _faq_answers(draft: Draft) -> Iterator[Finding]:
    for number, entry in enumerate(draft.faq, start=1):
        question, answer = entry.question.strip(), entry.answer.strip()
        label = f"FAQ question {number}"
        if question and not answer:
            yield Finding(
                "writing", Severity.WARNING, "faq", f"{label} has no answer.", excerpt(question)
            )
        elif answer and not question:
            yield Finding(
                "writing",
                Severity.WARNING,
                "faq",
                f"{label} has an answer but no question.",
                excerpt(answer),
            )
        elif answer and FILLER_OPENING.search(answer):
            yield Finding(
                "writing",
                Severity.INFO,
                "faq",
                f"{label}: answer first. Drop the preamble and start with the answer.",
                excerpt(first_sentence(answer)),
            )
        elif answer and YES_NO_QUESTION.search(question) and not DIRECT_ANSWER.search(answer):
            yield Finding(
                "writing",
                Severity.INFO,
                "faq",
                f"{label} asks a yes-or-no question: answer first with yes or no, then explain.",
                excerpt(first_sentence(answer)),
            )


def _weasel_words(draft: Draft) -> Iterator[Finding]:
    places = [(s.key, draft.text(s.key)) for s in draft.outline.text_sections]
    places += [("faq", e.answer) for e in draft.faq]
    shown: dict[str, int] = {}
    for key, text in places:
        for word, sentence in _weasel_sentences(text):
            if shown.get(key, 0) >= MAX_PER_SECTION:
                break
            shown[key] = shown.get(key, 0) + 1
            yield Finding(
                "writing",
                Severity.INFO,
                key,
                f"\u201c{word}\u201d where data belongs: say how many, how much or how often.",
                excerpt(sentence),
            )


@lru_cache(maxsize=512)
def _weasel_sentences(text: str) -> tuple[tuple[str, str], ...]:
    """The first few sentences of ``text`` with a weasel word and no figure, and the word.

    Per text, and remembered: an autosave changes one section, and the gates run on all.
    """
    found = []
    for sentence in sentences(text):
        word = find(WEASEL, sentence)
        if word is None or has_number(sentence) or sentence.lstrip().startswith(("\u201c", '"')):
            continue
        found.append((word, sentence))
        if len(found) == MAX_PER_SECTION:
            break
    return tuple(found)
