"""The structured content of a PR/FAQ: sections of Markdown and FAQ entries.

This is what a revision stores, what the gates read and what import/export
write: plain data, no ORM.
"""

import hashlib
import re
from dataclasses import dataclass, field

from prfaq.document_templates import DocumentTemplate

TITLE_MAX_CHARS = 200
SECTION_MAX_CHARS = 50_000
ANSWER_MAX_CHARS = 10_000
QUESTION_MAX_CHARS = 1_000
FAQ_MAX_ENTRIES = 200

_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")


# Words per text, by the text's digest, remembered across requests: an autosave changes
# one section, and the length gate and the save count every section (a digest costs a
# tenth of counting). Digests, not texts, are kept: at most _COUNTED_MAX small entries.
_counted: dict[bytes, int] = {}
_COUNTED_MAX = 4096
_DIGEST_FROM = 200  # characters; a shorter text is counted sooner than digested


def count_words(text: str) -> int:
    if len(text) < _DIGEST_FROM:
        return len(_WORD.findall(text))
    key = hashlib.blake2b(text.encode(errors="surrogatepass"), digest_size=16).digest()
    words = _counted.get(key)
    if words is None:
        if len(_counted) >= _COUNTED_MAX:
            _counted.clear()
        words = _counted[key] = len(_WORD.findall(text))
    return words


@dataclass(frozen=True, slots=True)
class FaqEntry:
    question: str
    answer: str = ""
    side: str = "external"
    topic: str = ""
    thread: int | None = None  # the comment thread the question came from, if any

    def to_json(self) -> dict:
        data: dict = {
            "question": self.question,
            "answer": self.answer,
            "side": self.side,
            "topic": self.topic,
        }
        if self.thread:
            data["thread"] = self.thread
        return data

    @classmethod
    def from_json(cls, data: dict) -> "FaqEntry":
        thread = data.get("thread")
        return cls(
            question=str(data.get("question", "")),
            answer=str(data.get("answer", "")),
            side="internal" if data.get("side") == "internal" else "external",
            topic=str(data.get("topic", "")),
            thread=thread if isinstance(thread, int) and thread > 0 else None,
        )

    @property
    def word_count(self) -> int:
        return count_words(self.question) + count_words(self.answer)


@dataclass(frozen=True, slots=True, eq=False)
class Content:
    sections: dict[str, str] = field(default_factory=dict)
    faq: tuple[FaqEntry, ...] = ()

    def __eq__(self, other: object) -> bool:
        # An empty section and a missing one read the same.
        if not isinstance(other, Content):
            return NotImplemented
        return self._written() == other._written() and self.faq == other.faq

    __hash__ = None  # type: ignore[assignment]

    def _written(self) -> dict[str, str]:
        return {key: text for key, text in self.sections.items() if text}

    def sections_written(self) -> list[str]:
        return [key for key, text in self.sections.items() if text.strip()]

    def to_json(self) -> dict:
        return {
            "sections": dict(self.sections),
            "faq": [entry.to_json() for entry in self.faq],
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "Content":
        data = data or {}
        return cls(
            sections={str(k): str(v) for k, v in (data.get("sections") or {}).items()},
            faq=tuple(FaqEntry.from_json(e) for e in (data.get("faq") or [])),
        )

    @classmethod
    def empty(cls, template: DocumentTemplate) -> "Content":
        return cls(sections={s.key: "" for s in template.text_sections})

    def section(self, key: str) -> str:
        return self.sections.get(key, "")

    def section_words(self, key: str) -> int:
        return count_words(self.section(key))

    @property
    def faq_words(self) -> int:
        return sum(entry.word_count for entry in self.faq)

    @property
    def word_count(self) -> int:
        return sum(count_words(text) for text in self.sections.values()) + self.faq_words

    def changed_keys(self, other: "Content", template: DocumentTemplate) -> list[str]:
        """Keys of the template's sections whose text differs between two contents."""
        changed = [
            s.key for s in template.text_sections if self.section(s.key) != other.section(s.key)
        ]
        faq = template.faq_section
        if faq is not None and self.faq != other.faq:
            changed.append(faq.key)
        return changed

    def plain_text(self) -> str:
        """All the words of the document, for search."""
        parts = list(self.sections.values())
        for entry in self.faq:
            parts.extend((entry.question, entry.answer))
        return "\n".join(p for p in parts if p)
