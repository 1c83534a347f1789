"""Headless Chromium reads the hostile document: no injected script runs, the policy holds."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SPY = """
window.__calls = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__calls.push(name + ":" + args.join(",")); };
}
document.addEventListener("securitypolicyviolation", (e) => {
  window.__calls.push("csp:" + e.violatedDirective + " " + e.blockedURI);
});
"""


def test_no_injected_script_runs_on_any_page(page: Page, live_server, hostile):
    document, round_, _author, _leader = hostile
    page.add_init_script(SPY)
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("author")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    urls = [
        reverse("prfaq:dashboard"),
        reverse("prfaq:document", args=[document.pk]),
        reverse("prfaq:edit", args=[document.pk]),
        reverse("prfaq:history", args=[document.pk]),
        reverse("prfaq:compare", args=[document.pk]) + "?from=1&to=2",
        reverse("reviews:round", args=[document.pk, round_.number]),
        reverse("reviews:timeline", args=[document.pk]),
    ]
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        page.mouse.move(200, 400)
        page.wait_for_timeout(200)
        calls = page.evaluate("window.__calls")
        assert calls == [], (url, calls)
    assert errors == []
