"""Differences between two texts as safe HTML: by paragraph, then word by word.

Diffing whole sections word by word costs more than quadratic time on long
texts, so lines are matched first and only changed blocks of a bounded size
are compared word by word; larger blocks show as removed and added whole.
"""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"\w+\s*|[^\w\s]+\s*|\s+")
MAX_WORD_DIFF_TOKENS = 4000


def _removed(text: str) -> str:
    return f"<del>{escape(text)}</del>" if text else ""


def _added(text: str) -> str:
    return f"<ins>{escape(text)}</ins>" if text else ""


def _words(old: str, new: str) -> str:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    if len(a) + len(b) > MAX_WORD_DIFF_TOKENS:
        return _removed(old) + _added(new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
        else:
            out.append(_removed("".join(a[i1:i2])) + _added("".join(b[j1:j2])))
    return "".join(out)


def word_diff(old: str, new: str) -> SafeString:
    """``old`` and ``new`` merged, removed text in <del>, added text in <ins>."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
        elif i2 - i1 == j2 - j1:  # paragraphs edited in place: compare each with its own
            out.extend(_words(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        else:
            out.append(_words("".join(a[i1:i2]), "".join(b[j1:j2])))
    return mark_safe("".join(out))


def _faq_text(content) -> str:
    """The FAQ as lines, one question and one answer paragraph each, for the paragraph diff."""
    lines = []
    for e in content.faq:
        lines.append(f"Q ({e.side}{', ' + e.topic if e.topic else ''}): {e.question}")
        lines.extend(
            f"A: {line}" if i == 0 else line for i, line in enumerate(e.answer.split("\n"))
        )
        lines.append("")
    return "\n".join(lines)


def compare_contents(outline, a, b) -> list[dict]:
    """Each section of two contents: its title, whether it changed, and the word diff."""
    sections = [
        {
            "title": spec.title,
            "changed": a.section(spec.key) != b.section(spec.key),
            "diff": word_diff(a.section(spec.key), b.section(spec.key)),
        }
        for spec in outline.text_sections
    ]
    if outline.faq_section is not None:
        sections.append(
            {
                "title": "FAQ",
                "changed": a.faq != b.faq,
                "diff": word_diff(_faq_text(a), _faq_text(b)),
            }
        )
    return sections
