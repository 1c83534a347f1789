"""Export to canonical Markdown and import from it, or from pasted prose."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import FAQ_TOPICS, ONE_PAGER, PRFAQ, TEMPLATES
from prfaq.markdown_io import ImportError_, decode_upload, export_markdown, parse_markdown

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus"

# Any Unicode but line-ending characters (import normalises \r\n and \r to \n).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
    max_size=200,
)
LINE = TEXT.map(lambda s: " ".join(s.split()))


@st.composite
def documents(draw):
    template = draw(st.sampled_from([PRFAQ, ONE_PAGER]))
    sections = {spec.key: draw(TEXT) for spec in template.text_sections}
    faq = draw(
        st.lists(
            st.builds(
                FaqEntry,
                question=LINE,
                answer=TEXT,
                side=st.sampled_from(["external", "internal"]),
                topic=st.sampled_from(["", *[key for key, _ in FAQ_TOPICS]]),
            ),
            max_size=6,
        )
    )
    title = draw(LINE.filter(bool))
    return title, template, Content(sections=sections, faq=tuple(faq))


def round_trip(title, template, content) -> str:
    exported = export_markdown(title=title, template=template, content=content)
    imported = parse_markdown(exported)
    assert imported.format == "canonical"
    assert imported.template == template
    return export_markdown(
        title=imported.title, template=imported.template, content=imported.content
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_export_import_export_is_identical(document):
    title, template, content = document
    if not any(t.strip() for t in content.sections.values()) and not content.faq:
        return  # nothing to import: covered by test_empty_documents_are_refused
    exported = export_markdown(title=title, template=template, content=content)
    assert round_trip(title, template, content) == exported


def test_round_trip_keeps_tricky_text_exactly():
    content = Content(
        sections={
            "headline": "Tide Alerts \u2014 \u202eRTL \U0001f469\u200d\U0001f467",
            "problem": "# not a heading\n\\# escaped already\n## Problem\n\n---\n",
            "solution": "Line one\n\n\n\nline five  ",
        },
        faq=(
            FaqEntry("What does it cost? (finances)", "Free.", "external", ""),
            FaqEntry("Why now?", "### Q: not a question", "internal", "why-now"),
            FaqEntry("Again external?", "Yes.", "external", ""),
        ),
    )
    exported = export_markdown(title="Title: with colon", template=PRFAQ, content=content)
    imported = parse_markdown(exported)
    assert imported.title == "Title: with colon"
    assert imported.content.section("problem") == content.section("problem").strip("\n")
    assert imported.content.faq == content.faq


def test_reads_the_shared_headings_example():
    path = SHARED / "tidewater-headings.md"
    if not path.exists():
        pytest.skip("shared corpus not here")
    imported = parse_markdown(path.read_text())
    assert imported.title == "Tidewater Tide Alerts"
    assert imported.content.section("problem").startswith("A skipper of a small boat")
    assert imported.content.section("how_it_works").startswith("Text the word TIDE")
    topics = {e.topic for e in imported.content.faq if e.side == "internal"}
    assert topics == {"market-size", "strategy-fit", "finances", "dependencies", "technical-risk"}


def test_reads_pasted_prose_with_a_dateline_and_q_a_lines():
    path = SHARED / "shelfsense-prose.md"
    if not path.exists():
        pytest.skip("shared corpus not here")
    imported = parse_markdown(path.read_text())
    assert imported.format == "prose"
    sections = imported.content.sections
    assert sections["headline"].startswith("ShelfSense tells")
    assert sections["subheading"].startswith("Owners of bookshops")
    assert sections["summary"].startswith("LEEDS, UK")
    assert sections["problem"].startswith("Independent booksellers reorder")
    assert sections["solution"].startswith("ShelfSense gives")
    assert sections["leader_quote"].startswith('"Independent shops')
    assert sections["customer_quote"].startswith('"The first list')
    assert sections["call_to_action"].startswith("Start a free 30-day trial")
    assert len(imported.content.faq) == 6
    assert imported.content.faq[2].side == "internal"


def test_prose_with_bold_questions_and_side_headings():
    text = (
        "Pantry Pal cuts food bank queues\n\nVolunteers see who is coming.\n\n"
        "HULL, UK \u2014 1 May 2027 \u2014 Harbour Aid launched Pantry Pal today.\n\n"
        "Every Saturday, families wait two hours outside the food bank in the rain, and "
        "volunteers run out of fresh food by noon because nobody knows how many will come.\n\n"
        "Pantry Pal lets families book a thirty-minute slot by text.\n\n"
        "Customer FAQ\n\n**Do I need a smartphone?**\n\nNo. Any phone that texts works.\n\n"
        "Internal FAQ\n\n**What does it cost?**\n\n\u00a3200 a month in text messages.\n"
    )
    imported = parse_markdown(text)
    assert imported.content.section("problem").startswith("Every Saturday")
    assert [(e.question, e.side) for e in imported.content.faq] == [
        ("Do I need a smartphone?", "external"),
        ("What does it cost?", "internal"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("caf\u00e9".encode("latin-1"), "not UTF-8"),
        (b"x" * (3 * 1024 * 1024), "at most 2 MB"),
    ],
)
def test_unreadable_files_get_one_clear_sentence(data, message):
    with pytest.raises(ImportError_, match=message):
        parse_markdown(decode_upload(data))


def test_front_matter_naming_an_unknown_template_is_refused():
    with pytest.raises(ImportError_, match="template \u201csonnet\u201d; use prfaq and one-pager"):
        parse_markdown("---\ntitle: X\ntemplate: sonnet\n---\n\n# Headline\n\nHi\n")


def test_text_with_no_structure_is_read_as_prose_and_says_what_it_found():
    imported = parse_markdown("just some words\nwith no structure at all")
    assert imported.format == "prose"
    assert any("dateline" in note for note in imported.notes)


def test_faq_questions_without_answers_are_reported():
    text = "---\ntitle: T\ntemplate: one-pager\n---\n\n# Headline\n\nH\n\n# FAQ\n\n### Q: Why?\n"
    imported = parse_markdown(text)
    assert imported.template == TEMPLATES["one-pager"]
    assert imported.content.faq == (FaqEntry("Why?", "", "external", ""),)
    assert imported.notes == ["FAQ questions without an answer: 1."]


def test_an_empty_exported_document_imports_again():
    exported = export_markdown(title="Blank", template=PRFAQ, content=Content.empty(PRFAQ))
    imported = parse_markdown(exported)
    assert imported.title == "Blank" and imported.content == Content.empty(PRFAQ)


def test_faq_only_canonical_markdown_is_read_as_canonical():
    imported = parse_markdown("# FAQ\n\n## Internal\n\n### Q: Why now? (why now)\n\nBecause.\n")
    assert imported.format == "canonical"
    assert imported.content.faq == (FaqEntry("Why now?", "Because.", "internal", "why-now"),)


def test_too_many_paragraphs_of_prose_are_refused():
    with pytest.raises(ImportError_, match="paragraphs before its FAQ"):
        parse_markdown("\n\n".join(f"Line {i}" for i in range(400)))


def test_prose_questions_on_internal_topics_go_to_the_internal_faq():
    imported = parse_markdown(
        "Head\n\nSub\n\nLEEDS \u2014 1 May 2027 \u2014 Launched.\n\nFAQ\n\n"
        "Q: What will it cost to build?\nA: \u00a3200,000.\n"
    )
    assert imported.content.faq[0].side == "internal"
    assert imported.content.faq[0].topic == "finances"


def test_long_lines_in_prose_do_not_stall_the_reader():
    text = "FAQ\n\nQ: a" + " " * 50_000 + "b?\nA: yes\n\n" + "\u201ca " * 20_000
    assert parse_markdown(text).content.faq[0].answer.startswith("yes")
