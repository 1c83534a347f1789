"""Headless Chromium drives the editor the way a product manager would."""

import re
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, expect

from prfaq.models import Document
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(page: Page, live_server) -> Page:
    make_user("writer", first_name="Wren", last_name="Writer")
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
    page.problems = problems  # type: ignore[attr-defined]
    return page


def start_draft(page: Page, live_server, title: str) -> None:
    """Start a PR/FAQ called ``title`` and wait for its editor's scripts."""
    page.goto(f"{live_server.url}/documents/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Start writing").click()
    page.wait_for_selector("#editor-form[data-ready]", state="attached")


def test_write_preview_autosave_and_reload(signed_in: Page, live_server):
    page = signed_in
    page.get_by_role("link", name="Write a PR/FAQ").click()
    page.get_by_label("Title").fill("Tide Alerts")
    page.get_by_label(re.compile(r"^\s*PR/FAQ \u2014")).check()
    page.get_by_role("button", name="Start writing").click()
    page.wait_for_selector("#editor-form[data-ready]", state="attached")
    expect(page.get_by_role("textbox", name="Headline")).to_be_visible()

    page.get_by_role("textbox", name="Headline").fill(
        "Tide Alerts tell skippers when the bar is safe"
    )
    problem = page.get_by_role("textbox", name="Problem")
    problem.press_sequentially("Skippers of **small boats** misread tides", delay=5)
    expect(page.locator("#words-problem")).to_have_text("6 / 120 words")
    expect(page.locator("#preview-body strong")).to_have_text("small boats")
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)

    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("Does it need a smartphone?")
    page.get_by_label("Answer").fill("No. Plain SMS.")
    page.get_by_label("Side").select_option("internal")
    expect(page.locator("#preview-body")).to_contain_text("Does it need a smartphone?")
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)

    page.reload()
    page.wait_for_selector("#editor-form[data-ready]", state="attached")
    expect(page.get_by_role("textbox", name="Problem")).to_have_value(
        "Skippers of **small boats** misread tides"
    )
    expect(page.get_by_label("Question", exact=True)).to_have_value("Does it need a smartphone?")
    expect(page.get_by_label("Side")).to_have_value("internal")
    document = Document.objects.get(title="Tide Alerts")
    assert document.current_revision.as_content().faq[0].side == "internal"
    assert page.problems == []  # type: ignore[attr-defined]


def test_reorder_and_remove_questions_in_the_page(signed_in: Page, live_server):
    page = signed_in
    start_draft(page, live_server, "Questions")
    for question in ("First?", "Second?"):
        page.get_by_role("button", name="Add a question").click()
        page.locator("#faq-entries li").last.get_by_label("Question", exact=True).fill(question)
    page.get_by_role("button", name="Move question 2 up").click()
    expect(page.locator("#faq-entries textarea[name$=question]").first).to_have_value("Second?")
    page.get_by_role("button", name="Remove question 2").click()
    expect(page.locator("#faq-entries li")).to_have_count(1)
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    page.reload()
    expect(page.locator("#faq-entries textarea[name$=question]")).to_have_count(1)
    expect(page.locator("#faq-entries textarea[name$=question]")).to_have_value("Second?")


def test_a_lost_connection_keeps_the_text_and_says_so(signed_in: Page, live_server):
    page = signed_in
    page.route(re.compile(r"/autosave/$"), lambda route: route.abort())
    start_draft(page, live_server, "Offline")
    page.get_by_role("textbox", name="Problem").fill("Words typed on a train")
    expect(page.locator("#save-status")).to_contain_text("cannot reach the server", timeout=10_000)
    expect(page.get_by_role("textbox", name="Problem")).to_have_value("Words typed on a train")
    sent = autosaves_sent(page)
    page.unroute(re.compile(r"/autosave/$"))
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=15_000)
    document = Document.objects.get(title="Offline")
    assert document.current_revision.as_content().section("problem") == "Words typed on a train"
    # The page may be behind what the lost one saved: the next autosave posts every field.
    assert set(sent[0]) >= EVERY_FIELD


def autosaves_sent(page: Page) -> list[dict]:
    """The fields of each autosave the page sends from now on, as they are sent."""
    sent: list[dict] = []

    def keep(request) -> None:
        if request.url.endswith("/autosave/"):
            sent.append(dict(parse_qsl(request.post_data or "", keep_blank_values=True)))

    page.on("request", keep)
    return sent


def settled(page: Page) -> None:
    """Wait until the page has saved everything typed so far (its autosaves pause 1.5 s)."""
    page.wait_for_timeout(2_000)
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)


EVERY_FIELD = {"title", "section_headline", "section_problem", "faq-TOTAL_FORMS"}


def test_an_autosave_posts_only_what_changed_since_the_last(signed_in: Page, live_server):
    page = signed_in
    sent = autosaves_sent(page)
    start_draft(page, live_server, "Partial")
    page.get_by_role("textbox", name="Headline").fill("Tide Alerts")
    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("Does it need a smartphone?")
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    # The page's first: it may hold text the browser or a refused Save put back.
    assert set(sent[0]) >= EVERY_FIELD
    settled(page)
    sent.clear()

    page.get_by_role("textbox", name="Problem").fill("Skippers misread tides.")
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    assert set(sent[-1]) == {"csrfmiddlewaretoken", "base_version", "section_problem"}
    page.get_by_label("Answer").fill("No. Plain SMS.")
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    assert "section_problem" not in sent[-1] and sent[-1]["faq-0-answer"] == "No. Plain SMS."

    content = Document.objects.get(title="Partial").current_revision.as_content()
    assert content.section("headline") == "Tide Alerts"
    assert content.section("problem") == "Skippers misread tides."
    assert [(e.question, e.answer) for e in content.faq] == [
        ("Does it need a smartphone?", "No. Plain SMS.")
    ]
    assert page.problems == []  # type: ignore[attr-defined]


def test_gate_findings_follow_the_typing(signed_in: Page, live_server):
    page = signed_in
    start_draft(page, live_server, "Gated")
    expect(page.locator("#findings-problem")).to_contain_text("no problem paragraph")
    expect(page.locator("#gate-summary")).to_contain_text("1 blocker")
    page.get_by_role("textbox", name="Problem").fill(
        "Our new app combines machine learning and IoT sensors on our cloud platform."
    )
    expect(page.locator("#findings-problem")).to_contain_text("leads with the product")
    page.get_by_role("textbox", name="Problem").fill(
        "Every evening, skippers of small boats spend an hour reading tide tables and still "
        "misjudge the bar; a wrong call costs a day's catch worth $1,800."
    )
    expect(page.locator("#findings-problem")).not_to_contain_text("problem paragraph")
    expect(page.locator("#gate-summary")).to_contain_text("0 blockers")
    assert page.problems == []  # type: ignore[attr-defined]


def test_an_autosave_queued_behind_a_refused_one_posts_every_field(signed_in: Page, live_server):
    """The refused one's fields were not saved: the next autosave, sent as soon as the
    refusal arrives, carries them too."""
    page = signed_in
    start_draft(page, live_server, "Queued")
    page.get_by_role("textbox", name="Headline").fill("Tide Alerts")
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    held = []
    page.route(re.compile(r"/autosave/$"), lambda route: held.append(route))
    page.get_by_role("textbox", name="Problem").fill("Skippers misread tides.")
    expect(page.locator("#save-status")).to_contain_text("Saving", timeout=10_000)
    page.get_by_role("textbox", name="Solution").fill("One text a night.")
    # What the page's timer does 1.5 s later, at once: queued behind the one held.
    page.evaluate("htmx.trigger('#editor-form', 'autosave')")
    refused = '<div id="save-status" data-state="invalid"><strong>Not saved.</strong></div>'
    held[0].fulfill(status=400, content_type="text/html", body=refused)
    for _ in range(100):  # the page sends the queued one as the refusal arrives
        if len(held) == 2:
            break
        page.wait_for_timeout(50)
    queued = dict(parse_qsl(held[1].request.post_data or "", keep_blank_values=True))
    assert set(queued) >= EVERY_FIELD
    held[1].continue_()
    page.unroute(re.compile(r"/autosave/$"))
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    content = Document.objects.get(title="Queued").current_revision.as_content()
    assert content.section("problem") == "Skippers misread tides."
    assert content.section("solution") == "One text a night."
