"""Headless Chromium: the whole leadership review, from a refused submission to approval."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

FIXED_PROBLEM = (
    "Today, skippers of small boats spend an hour every evening reading tide tables, and a "
    "wrong call costs them a day's catch worth $1,800."
)


def person(browser, live_server, username: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
    return page


def write_problem(page: Page, live_server, pk: int, text: str) -> None:
    page.goto(f"{live_server.url}/documents/{pk}/edit/")
    page.wait_for_selector("#editor-form[data-ready]", state="attached")
    page.get_by_role("textbox", name="Problem").fill(text)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved.")


def submit(page: Page, live_server, pk: int, approvers: list[str], reviewers=()) -> None:
    page.goto(f"{live_server.url}/documents/{pk}/submit/")
    for name in approvers:
        page.get_by_label(name, exact=True).check()
    if reviewers:
        page.locator("#id_reviewers").select_option(label=list(reviewers))
    for field in page.locator("input[name^=ack_]").all():
        field.fill("Known; the FAQ will grow.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", name=re.compile("Review round"))).to_be_visible()


def give(page: Page, live_server, pk: int, number: int, decision: str, why: str) -> None:
    page.goto(f"{live_server.url}/documents/{pk}/rounds/{number}/")
    for fieldset in ("big_idea", "should_we", "plan"):
        page.locator(f"input[name={fieldset}][value=yes]").check()
    page.locator(f"input[name=decision][value={decision}]").check()
    page.locator("#id_rationale").fill(why)
    page.get_by_role("button", name="Record verdict").click()
    expect(page.locator(".messages")).to_contain_text("Verdict recorded.")


def test_the_whole_review(browser, live_server):
    make_user("author", first_name="Avery")
    make_user("reviewer", first_name="Riley")
    make_user("leader", first_name="Lee", leader=True)
    make_user("leader2", first_name="Lou", leader=True)
    contexts = []
    try:
        author = person(browser, live_server, "author")
        contexts.append(author.context)
        author.goto(f"{live_server.url}/documents/new/")
        author.get_by_label("Title").fill("Tide Alerts")
        author.get_by_role("button", name="Start writing").click()
        author.wait_for_selector("#editor-form[data-ready]", state="attached")
        pk = int(re.search(r"/documents/(\d+)/", author.url).group(1))

        author.goto(f"{live_server.url}/documents/{pk}/submit/")
        expect(author.get_by_role("alert")).to_contain_text("The review gates found blockers")
        expect(author.get_by_role("alert")).to_contain_text("no problem paragraph")

        write_problem(author, live_server, pk, FIXED_PROBLEM)
        submit(author, live_server, pk, ["Lee"], ["Riley (@reviewer)"])

        reviewer = person(browser, live_server, "reviewer")
        contexts.append(reviewer.context)
        reviewer.goto(f"{live_server.url}/documents/{pk}/")
        reviewer.locator("#new-thread summary").click()
        reviewer.locator("#new-thread textarea[name=body]").fill("Where does $1,800 come from?")
        reviewer.locator("#new-thread").get_by_role("button", name="Comment").click()
        expect(reviewer.locator("#open-count")).to_have_text("1 open")
        reviewer.goto(f"{live_server.url}/documents/{pk}/rounds/1/")
        reviewer.locator("#id_text").fill("The catch value needs a source.")
        reviewer.get_by_role("button", name="Raise a blocking concern").click()
        expect(reviewer.locator("#concerns")).to_contain_text("The catch value needs a source.")

        leader = person(browser, live_server, "leader")
        contexts.append(leader.context)
        give(leader, live_server, pk, 1, "request_changes", "Source the numbers.")
        expect(leader.locator(".badge.round-changes_requested")).to_be_visible()

        write_problem(author, live_server, pk, FIXED_PROBLEM + " (Maine DMR landings data, 2026.)")
        submit(author, live_server, pk, ["Lee", "Lou"])
        give(leader, live_server, pk, 2, "approve", "Sourced now.")
        write_problem(author, live_server, pk, FIXED_PROBLEM + " (Maine DMR landings, 2026.)")
        leader.goto(f"{live_server.url}/documents/{pk}/rounds/2/")
        expect(leader.locator("table")).to_contain_text("dismissed by r")

        give(leader, live_server, pk, 2, "approve", "Still good.")
        leader2 = person(browser, live_server, "leader2")
        contexts.append(leader2.context)
        give(leader2, live_server, pk, 2, "approve", "Agreed.")
        expect(leader2.locator(".badge.round-approved")).to_be_visible()

        author.goto(f"{live_server.url}/documents/{pk}/")
        expect(author.locator(".badge.text-bg-success")).to_contain_text("Approved text: revision")
        expect(author.locator(".alert-success")).to_contain_text("Agreed.")
    finally:
        for context in contexts:
            context.close()
