"""What a gate reads (a Draft) and what it says (Findings)."""

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import DocumentTemplate


class Severity(StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"blocker": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    gate: str
    severity: Severity
    section: str
    message: str
    excerpt: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "gate": self.gate,
            "severity": str(self.severity),
            "section": self.section,
            "message": self.message,
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Finding":
        return cls(
            gate=data["gate"],
            severity=Severity(data["severity"]),
            section=data.get("section", ""),
            message=data["message"],
            excerpt=data.get("excerpt", ""),
        )


@dataclass(frozen=True)
class Draft:
    """A document's content and its template: everything a gate may look at."""

    content: Content
    outline: DocumentTemplate
    title: str = ""
    extra: dict = field(default_factory=dict)

    @cached_property
    def outline_keys(self) -> list[str]:
        return [s.key for s in self.outline.sections]

    def has_section(self, key: str) -> bool:
        return self.outline.section(key) is not None

    def title_of(self, key: str) -> str:
        spec = self.outline.section(key)
        return spec.title if spec else key

    def text(self, key: str) -> str:
        return self.content.section(key).strip()

    @cached_property
    def press_release(self) -> str:
        return "\n\n".join(self.text(s.key) for s in self.outline.text_sections if self.text(s.key))

    @property
    def faq(self) -> tuple[FaqEntry, ...]:
        return self.content.faq

    @property
    def internal_faq(self) -> tuple[FaqEntry, ...]:
        return tuple(e for e in self.content.faq if e.side == "internal")

    @cached_property
    def product_names(self) -> frozenset[str]:
        from prfaq.cues import product_names

        return product_names(self.title, self.text("headline"), self.text("summary"))


def excerpt(text: str, limit: int = 120) -> str:
    """The start of ``text`` on one line, cut at a word."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0] + "\u2026"
