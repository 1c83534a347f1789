"""Markdown to safe HTML: `markdown` renders, `nh3` keeps only an allow-list.

No script, style, event handler or non-http(s)/mailto URL survives; the output
is stored per revision, so this runs once per save, never per page view.
"""

import re
import threading
from dataclasses import dataclass

import markdown
import nh3
from django.utils.html import linebreaks

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import FAQ_TOPICS, DocumentTemplate, SectionSpec

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]


def sanitize_html(html: str) -> str:
    """Clean to the allow-list until the output is stable: broken nesting such as a <p> inside
    a <p> is repaired by the first pass, so a second pass would otherwise change it again."""
    for _ in range(3):
        cleaned = _clean(html)
        if cleaned == html:
            break
        html = cleaned
    return html


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


MAX_BRACKETS = 500
MAX_NESTING = 60
_DEEP_NESTING = re.compile(rf"^(?:[ \t]*(?:[-*+>]|\d{{1,9}}[.)])[ \t]+){{{MAX_NESTING},}}", re.M)


def markdown_hazard(text: str) -> str | None:
    """Why ``text`` would make the Markdown renderer crash or crawl, if it would.

    The renderer recurses once per level of list or quote nesting, and its link
    parser slows quadratically with the number of ``[`` brackets.
    """
    if text.count("[") > MAX_BRACKETS:
        return f"has more than {MAX_BRACKETS} \u201c[\u201d brackets"
    if _DEEP_NESTING.search(text):
        return f"nests lists or quotes more than {MAX_NESTING} levels deep"
    return None


_renderers = threading.local()


def _renderer() -> markdown.Markdown:
    """This thread's Markdown renderer: building one loads its extensions, which cost more
    than converting a comment (0.77 against 0.22 ms). ``reset()`` before each text."""
    renderer = getattr(_renderers, "markdown", None)
    if renderer is None:
        renderer = _renderers.markdown = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, output_format="html"
        )
    return renderer


# One line of words, spaces and punctuation that means nothing to Markdown, starting with
# a letter (or a character such as "²" that Unicode counts as alphanumeric but not as a
# decimal digit, which a numbered list would need): Markdown makes it a paragraph as it
# is, with nothing to escape and nothing for the sanitiser to remove. Most replies are
# such a line ("Agreed, thanks."), and rendering one with Markdown cost 0.2 ms
# (tests/prfaq/test_rendering.py checks that the output is the same).
_PLAIN_LINE = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:?!'\"()/-])*(?<! )")


def render_markdown(text: str) -> str:
    """Render user Markdown to sanitised HTML (as plain text when it cannot be rendered)."""
    if not text.strip():
        return ""
    if _PLAIN_LINE.fullmatch(text):
        return f"<p>{text}</p>"
    if markdown_hazard(text) is None:
        try:
            html = _renderer().reset().convert(text)
            return sanitize_html(html).strip()
        except RecursionError:
            pass
    return linebreaks(text, autoescape=True)


def render_content(content: Content, *, reuse: tuple[Content, dict] | None = None) -> dict:
    """The HTML of every section and FAQ answer, as stored on a revision.

    ``reuse``: an earlier text and its stored HTML. A section or answer whose text has not
    changed keeps its HTML: an autosave changes one section of many, and rendering a
    3,000-word document whole took a third of each autosave.
    """
    known: dict[str, str] = {}
    if reuse is not None:
        earlier, html = reuse
        sections = html.get("sections", {}) if isinstance(html, dict) else {}
        answers = html.get("faq", []) if isinstance(html, dict) else []
        known = {text: sections[key] for key, text in earlier.sections.items() if key in sections}
        known |= {entry.answer: h for entry, h in zip(earlier.faq, answers, strict=False)}

    def rendered(text: str) -> str:
        html = known.get(text)
        return html if isinstance(html, str) else render_markdown(text)

    return {
        "sections": {key: rendered(text) for key, text in content.sections.items()},
        "faq": [rendered(entry.answer) for entry in content.faq],
    }


@dataclass(frozen=True, slots=True)
class SectionView:
    spec: SectionSpec
    text: str
    html: str
    words: int

    @property
    def over_budget(self) -> bool:
        return self.words > self.spec.word_budget

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True, slots=True)
class FaqView:
    number: int
    entry: FaqEntry
    answer_html: str
    topic_label: str


@dataclass(frozen=True, slots=True)
class PageView:
    """Everything a read view, preview or print needs, computed in Python."""

    outline: DocumentTemplate
    sections: tuple[SectionView, ...]
    external_faq: tuple[FaqView, ...]
    internal_faq: tuple[FaqView, ...]
    press_release_words: int
    faq_words: int

    @property
    def faq_spec(self) -> SectionSpec | None:
        return self.outline.faq_section

    @property
    def headline(self) -> SectionView | None:
        return next((s for s in self.sections if s.spec.key == "headline"), None)

    @property
    def body_sections(self) -> tuple[SectionView, ...]:
        return tuple(s for s in self.sections if s.spec.key != "headline")

    @property
    def has_faq(self) -> bool:
        return bool(self.external_faq or self.internal_faq)


def page_view(
    outline: DocumentTemplate, content: Content, rendered: dict | None = None
) -> PageView:
    """Lay a document out for reading; ``rendered`` is a revision's stored HTML, if any."""
    rendered = rendered or render_content(content)
    section_html = rendered.get("sections", {})
    answer_html = rendered.get("faq", [])
    topics = dict(FAQ_TOPICS)
    sections = tuple(
        SectionView(
            spec=spec,
            text=content.section(spec.key),
            html=section_html.get(spec.key, ""),
            words=content.section_words(spec.key),
        )
        for spec in outline.text_sections
    )
    faq = [
        FaqView(
            number=number,
            entry=entry,
            answer_html=answer_html[number - 1] if number <= len(answer_html) else "",
            topic_label=topics.get(entry.topic, ""),
        )
        for number, entry in enumerate(content.faq, start=1)
    ]
    return PageView(
        outline=outline,
        sections=sections,
        external_faq=tuple(f for f in faq if f.entry.side != "internal"),
        internal_faq=tuple(f for f in faq if f.entry.side == "internal"),
        press_release_words=sum(s.words for s in sections),
        faq_words=content.faq_words,
    )
