"""Markdown is rendered, then sanitised to an allow-list; nothing executable survives."""

import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from prfaq.content import Content, FaqEntry
from prfaq.diffing import word_diff
from prfaq.rendering import (
    MARKDOWN_EXTENSIONS,
    render_content,
    render_markdown,
    sanitize_html,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=x></form>",
    "<base href=https://evil.example/>",
    '[x][r]\n\n[r]: javascript:alert(1) "title"',
    '<a href="https://ok.example" title="x" onmouseover="alert(1)">x</a>',
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
EXECUTABLE = re.compile(
    r"<script|<style|<iframe|<svg|<math|<form|<base|<img|\son\w+=|javascript:|vbscript:|data:"
    r"|style=",
    re.IGNORECASE,
)


def test_markdown_basics_render():
    html = render_markdown("**bold** _it_\n\n- one\n- two\n\n[link](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>' in html


def test_every_payload_is_neutralised():
    for payload in PAYLOADS:
        html = render_markdown(payload)
        assert not EXECUTABLE.search(html), (payload, html)


def test_rendering_covers_sections_and_faq_answers():
    rendered = render_content(
        Content(
            sections={"problem": "<script>x</script>**pain**"},
            faq=(FaqEntry("Q?", "[a](javascript:x)"),),
        )
    )
    assert rendered["sections"]["problem"] == "<p><strong>pain</strong></p>"
    assert "javascript" not in rendered["faq"][0]


# Texts that leave state in a renderer if anything does: fenced code, tables, lists,
# reference links (defined in one text, used in the next), HTML blocks.
SAMPLES = [
    "```python\nprint('x')\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "1. one\n2. two\n\n* three",
    "[the docs][ref]\n\n[ref]: https://example.com/docs",
    "Uses [ref] and [the docs][ref] with no definition.",
    "<div>raw</div>\n\nafter",
    "Plain **bold** text.",
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SAMPLES) | st.text(), min_size=2, max_size=4))
def test_one_text_s_rendering_leaves_nothing_behind_for_the_next(texts):
    """The renderer is built once per thread and reused: each text renders as it would alone."""
    for text in texts:
        alone = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
        expected = sanitize_html(alone).strip() if text.strip() else ""
        assert render_markdown(text) == expected


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"[A-Za-z\u00e9\u00df\u01c5\u4e2d][\w\u00e9 ,.;:?!'\"()/-]{0,60}", fullmatch=True)
    | st.text(st.characters(categories=["L", "N", "M", "P", "S", "Zs"]), max_size=40)
)
def test_a_line_of_plain_words_renders_as_markdown_renders_it(text):
    """One line of words and punctuation (most replies) skips the Markdown renderer: the
    same HTML either way, whatever the letters, digits and punctuation."""
    alone = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    assert render_markdown(text) == (sanitize_html(alone).strip() if text.strip() else "")


def test_plain_replies_render_as_paragraphs():
    assert render_markdown("Agreed, thanks. I'll update the FAQ (section 2).") == (
        "<p>Agreed, thanks. I'll update the FAQ (section 2).</p>"
    )
    assert render_markdown("2. Not a paragraph") == "<ol>\n<li>Not a paragraph</li>\n</ol>"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sanitising_is_idempotent_and_never_raises(text):
    once = render_markdown(text)
    assert sanitize_html(once) == once
    assert not re.search(r"<script|\son\w+=|javascript:", once, re.IGNORECASE)


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text())
def test_word_diff_keeps_both_texts(old, new):
    html = str(word_diff(old, new))
    removed_or_kept = re.sub(r"<ins>.*?</ins>", "", html, flags=re.DOTALL)
    assert "<script" not in html.lower() or "&lt;script" in html.lower()
    assert removed_or_kept.replace("<del>", "").replace("</del>", "") == (
        old.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


TEXTS = st.sampled_from(
    ["", "**pain**", "Plain words.", "- a\n- b", "<script>x</script>", "[a](b)"]
)
CONTENTS = st.builds(
    lambda sections, answers: Content(
        sections=dict(zip(("headline", "problem", "solution"), sections, strict=False)),
        faq=tuple(FaqEntry(f"Q{i}?", answer) for i, answer in enumerate(answers)),
    ),
    st.lists(st.one_of(TEXTS, st.text(max_size=40)), min_size=3, max_size=3),
    st.lists(st.one_of(TEXTS, st.text(max_size=40)), max_size=4),
)


@settings(max_examples=150, deadline=None)
@given(CONTENTS, CONTENTS)
def test_reusing_an_earlier_text_s_html_renders_the_same(earlier, content):
    assert render_content(content, reuse=(earlier, render_content(earlier))) == render_content(
        content
    )


def test_an_autosave_renders_only_what_changed(monkeypatch):
    from prfaq import rendering

    earlier = Content(sections={"problem": "Old pain.", "solution": "**Same.**"}, faq=(
        FaqEntry("Q?", "Same answer."),))  # fmt: skip
    html = render_content(earlier)
    rendered = []
    real = rendering.render_markdown
    monkeypatch.setattr(rendering, "render_markdown", lambda t: rendered.append(t) or real(t))
    now = Content(sections={"problem": "New pain.", "solution": "**Same.**"}, faq=earlier.faq)
    assert render_content(now, reuse=(earlier, html))["sections"]["solution"] == (
        "<p><strong>Same.</strong></p>"
    )
    assert rendered == ["New pain."]


def test_a_damaged_earlier_rendering_is_rendered_again():
    earlier = Content(sections={"problem": "Pain."})
    for damaged in ({}, {"sections": {"problem": None}}, None, []):
        assert render_content(earlier, reuse=(earlier, damaged))["sections"]["problem"] == (
            "<p>Pain.</p>"
        )
