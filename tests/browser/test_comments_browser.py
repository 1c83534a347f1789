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
    expect(writer.locator("article.thread").first).to_contain_text("Forty-one")
    writer.locator("article.thread").first.get_by_role("button", name="Resolve").click()
    expect(writer.locator("#open-count")).to_have_text("0 open")
    expect(writer.locator("#resolved-count")).to_have_text("1 resolved")
    expect(writer.locator("mark.comment-anchor")).to_have_count(0)

    reader.reload()
    expect(reader.locator("#resolved-count")).to_have_text("1 resolved")
    expect(reader.locator("article.thread").first).to_contain_text("Forty-one")
    assert problems == []
