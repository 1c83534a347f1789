"""Headless Chromium: quote a passage, discuss it as two people, resolve it."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, full_content, make_document, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()


def test_select_comment_reply_and_resolve(browser, live_server):
    author = make_user("author", first_name="Avery")
    make_user("reader", first_name="Riley")
    document = make_document(owner=author, content=full_content())
    url = f"{live_server.url}/documents/{document.pk}/"

    contexts = [browser.new_context(), browser.new_context()]
    try:
        run_the_discussion(contexts[0].new_page(), contexts[1].new_page(), live_server, url)
    finally:
        for context in contexts:
            context.close()


def run_the_discussion(reader: Page, writer: Page, live_server, url: str) -> None:
    problems: list[str] = []
    reader.set_default_timeout(10_000)
    reader.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(reader, live_server, "reader")
    reader.goto(url)
    reader.evaluate(
        """() => {
          const text = document.querySelector('#section-problem p').firstChild;
          const range = document.createRange();
          range.setStart(text, 0);
          range.setEnd(text, 'Skippers of small boats'.length);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }"""
    )
    reader.get_by_role("button", name="Comment", exact=True).first.click()
    expect(reader.get_by_label("Quoted passage")).to_have_value("Skippers of small boats")
    reader.locator("#new-thread textarea[name=body]").fill("How many skippers did we talk to?")
    reader.locator("#new-thread").get_by_role("button", name="Comment").click()
    expect(reader.locator("#open-count")).to_have_text("1 open")
    expect(reader.locator("mark.comment-anchor")).to_have_text("Skippers of small boats")

    writer.set_default_timeout(10_000)
    writer.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(writer, live_server, "author")
    writer.goto(url)
    writer.locator("mark.comment-anchor a").click()
    thread = writer.locator("article.thread").first
    expect(thread).to_contain_text("How many skippers did we talk to?")
    thread.get_by_label("Reply").fill("Forty-one, across three harbours.")
    thread.get_by_role("button", name="Reply").click()
    expect(thread).to_contain_text("Forty-one")
    # The answer appends the reply and brings an empty box, with the focus back in it.
    expect(thread.get_by_label("Reply")).to_have_value("")
    expect(thread.get_by_label("Reply")).to_be_focused()

    # The reader answers from a page that has not seen the reply; the next reply on the
    # writer's page brings the reader's too, in order, and nothing twice.
    reader_thread = reader.locator("article.thread").first
    reader_thread.get_by_label("Reply").fill("Which harbours?")
    reader_thread.get_by_role("button", name="Reply").click()
    expect(reader_thread).to_contain_text("Forty-one")
    writer.keyboard.type("Dover, Deal and Ramsgate.")
    thread.get_by_role("button", name="Reply").click()
    expect(thread.locator(".comment-body")).to_have_text(
        [
            "How many skippers did we talk to?",
            "Forty-one, across three harbours.",
            "Which harbours?",
            "Dover, Deal and Ramsgate.",
        ]
    )
    writer.locator("article.thread").first.get_by_role("button", name="Resolve").click()
    expect(writer.locator("#open-count")).to_have_text("0 open")
    expect(writer.locator("#resolved-count")).to_have_text("1 resolved")
    expect(writer.locator("mark.comment-anchor")).to_have_count(0)

    reader.reload()
    expect(reader.locator("#resolved-count")).to_have_text("1 resolved")
    expect(reader.locator("article.thread").first).to_contain_text("Forty-one")
    assert problems == []
