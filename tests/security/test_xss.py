"""No script anyone writes into a document ever runs: the corpus in every place a user writes."""

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from prfaq.rendering import render_markdown, sanitize_html
from tests.security.xss import payloads, problems_in, user_html_problems

PAYLOADS = payloads()


def test_the_corpus_has_over_four_hundred_payloads():
    assert len(PAYLOADS) >= 400


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_markdown_keeps_nothing_executable(payload):
    html = render_markdown(payload)
    assert user_html_problems(html) == [], (payload, html)
    assert sanitize_html(html) == html  # sanitising twice changes nothing


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=6), st.text(max_size=40))
def test_payloads_mixed_with_any_text_stay_harmless(parts, glue):
    html = render_markdown(glue.join(parts))
    assert user_html_problems(html) == []
    assert sanitize_html(html) == html


def test_every_page_that_shows_user_text_keeps_it_inert(client, hostile):
    document, round_, author, leader = hostile
    client.force_login(author)
    pages = [
        reverse("prfaq:dashboard"),
        reverse("prfaq:document", args=[document.pk]),
        reverse("prfaq:edit", args=[document.pk]),
        reverse("prfaq:history", args=[document.pk]),
        reverse("prfaq:compare", args=[document.pk]) + "?from=1&to=2",
        reverse("prfaq:revision", args=[document.pk, 1]),
        reverse("reviews:round", args=[document.pk, round_.number]),
        reverse("reviews:timeline", args=[document.pk]),
        reverse("reviews:inbox"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert problems_in(response.content.decode()) == [], url
    client.force_login(leader)
    for url in (reverse("prfaq:dashboard"), reverse("reviews:inbox")):
        assert problems_in(client.get(url).content.decode()) == [], url
