"""Long discussions: the read view sends counts, each section's threads load a page at a
time (htmx, or plain links), thread actions answer with that thread, long threads fold."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse

from reviews.discussion import (
    CATCH_UP_COMMENTS,
    INLINE_THREADS,
    RECENT_COMMENTS,
    THREADS_PER_PAGE,
)
from reviews.forms import CommentForm
from reviews.models import BlindReading, Comment, Thread
from tests.conftest import full_content, make_document, make_user

HTMX = {"HX-Request": "true"}


def add_threads(document, people, count: int, *, section: str = "problem") -> list[Thread]:
    threads = Thread.objects.bulk_create(
        Thread(
            document=document, revision=document.current_revision, section=section, quote="",
            section_digest="", started_by=people[i % len(people)],
        )
        for i in range(count)
    )  # fmt: skip
    Comment.objects.bulk_create(
        Comment(thread=t, author=t.started_by, body=f"Point {i}", body_html=f"<p>Point {i}</p>")
        for i, t in enumerate(threads)
    )
    return threads


@pytest.fixture
def long_discussion(author):
    document = make_document(owner=author, content=full_content())
    people = [make_user(f"person{i}") for i in range(3)]
    threads = add_threads(document, people, INLINE_THREADS + 15)
    return document, threads


def test_the_read_view_of_a_long_discussion_sends_counts_and_links(client, author, long_discussion):
    document, threads = long_discussion
    client.force_login(author)
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    section_url = reverse("reviews:section_threads", args=[document.pk, "problem"])
    assert f"{len(threads)} open" in page
    assert f'hx-get="{section_url}" hx-trigger="revealed"' in page
    assert f'<a href="{section_url}">Read the {len(threads)} threads on Problem</a>' in page
    assert "Point 0" not in page and 'class="thread card' not in page


def test_a_sections_threads_load_a_page_at_a_time(client, author, long_discussion):
    document, threads = long_discussion
    client.force_login(author)
    url = reverse("reviews:section_threads", args=[document.pk, "problem"])
    fragment = client.get(url, headers=HTMX).content.decode()
    assert "<nav" not in fragment
    assert fragment.count('class="thread card') == THREADS_PER_PAGE
    assert "Point 0<" in fragment and f"Point {THREADS_PER_PAGE}<" not in fragment
    assert f'hx-get="{url}?page=2" hx-trigger="revealed"' in fragment
    last = client.get(url, {"page": 4}, headers=HTMX).content.decode()
    assert f"Point {len(threads) - 1}<" in last and "hx-trigger" not in last
    # Without JavaScript: a page of its own, with links to the other pages.
    page = client.get(url, {"page": 2}).content.decode()
    assert "<nav" in page and "Earlier threads" in page and "Later threads" in page
    assert f"Point {THREADS_PER_PAGE}<" in page


def test_unknown_sections_are_404_and_blind_readers_see_no_threads(
    client, author, teammate, long_discussion
):
    document, _ = long_discussion
    client.force_login(teammate)
    unknown = reverse("reviews:section_threads", args=[document.pk, "astrology"])
    assert client.get(unknown).status_code == 404
    document.status = document.Status.IN_REVIEW
    document.save(update_fields=["status"])
    BlindReading.objects.create(user=teammate, document=document)
    url = reverse("reviews:section_threads", args=[document.pk, "problem"])
    assert "Point 0" not in client.get(url, headers=HTMX).content.decode()


def test_a_thread_permalink_goes_to_the_page_that_shows_it(client, author, long_discussion):
    document, threads = long_discussion
    client.force_login(author)
    thread = threads[THREADS_PER_PAGE + 1]
    response = client.get(reverse("reviews:thread", args=[document.pk, thread.pk]))
    url = reverse("reviews:section_threads", args=[document.pk, "problem"])
    assert response.url == f"{url}?page=2#thread-{thread.pk}"
    small = make_document(owner=author, content=full_content())
    (first,) = add_threads(small, [author], 1)
    response = client.get(reverse("reviews:thread", args=[small.pk, first.pk]))
    assert response.url == f"/documents/{small.pk}/#thread-{first.pk}"


def test_a_quote_in_a_long_discussion_links_to_the_thread_permalink(
    client, author, long_discussion
):
    document, _ = long_discussion
    client.force_login(author)
    client.post(
        reverse("reviews:thread_new", args=[document.pk]),
        {"section": "problem", "quote": "misread tides", "body": "Which?"},
    )
    thread = Thread.objects.exclude(quote="").get()
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    permalink = reverse("reviews:thread", args=[document.pk, thread.pk])
    assert (
        f'<a href="{permalink}#thread-{thread.pk}" data-thread="{thread.pk}">misread tides' in page
    )


def reply_box_after(page: str, thread: Thread) -> int:
    """The newest comment a page's reply box to ``thread`` says it shows."""
    match = re.search(rf'id="reply-{thread.pk}".*?name="after" value="(\d+)"', page, re.S)
    return int(match.group(1))


def test_a_reply_by_htmx_appends_what_came_since_and_an_empty_box(client, author, long_discussion):
    document, threads = long_discussion
    thread = threads[0]
    client.force_login(author)
    section = reverse("reviews:section_threads", args=[document.pk, "problem"])
    page = client.get(section, headers=HTMX).content.decode()
    after = reply_box_after(page, thread)
    assert after == thread.comments.get().pk
    thread.reply(by=thread.started_by, body="Meanwhile, from someone else.")
    url = reverse("reviews:reply", args=[document.pk, thread.pk])

    answer = client.post(url, {"body": "Agreed.", "after": after}, headers=HTMX)
    page = answer.content.decode()
    assert answer.status_code == 200 and "HX-Retarget" not in answer
    assert page.lstrip().startswith('<div class="comment"')
    assert "<article" not in page and "Point 0" not in page  # not the thread again
    assert page.index("Meanwhile, from someone else.") < page.index("Agreed.")
    mine = Comment.objects.get(body="Agreed.")
    assert f'<form method="post" id="reply-{thread.pk}"' in page and 'hx-swap-oob="true"' in page
    assert reply_box_after(page, thread) == mine.pk
    assert "</textarea>" in page and "Agreed.</textarea>" not in page  # the box is empty

    page = client.post(url, {"body": "And again.", "after": mine.pk}, headers=HTMX)
    assert "Agreed." not in page.content.decode() and "And again." in page.content.decode()


def test_a_reply_from_an_up_to_date_page_shows_it_as_the_thread_would(
    client, author, long_discussion
):
    """The reply is the one comment after the page's newest: it is shown as made, not read
    back; the same HTML as when it comes back read from the database."""
    document, threads = long_discussion
    thread = threads[0]
    client.force_login(author)
    url = reverse("reviews:reply", args=[document.pk, thread.pk])
    before = thread.comments.get().pk
    greek = "\u2068\u03a9\u03bc\u03ad\u03b3\u03b1\u2069"  # Greek, between directional isolates
    body = f"Agreed: **tides** & <script>alert(1)</script>, from {greek}."
    fresh = client.post(url, {"body": body, "after": before}, headers=HTMX)
    mine = Comment.objects.get(thread=thread, pk__gt=before)
    caches["comments"].clear()  # rendered again, not the kept HTML of the first answer
    again = client.post(url, {"body": "Next.", "after": before}, headers=HTMX)  # reads it back

    def comment_html(page: str) -> str:
        match = re.search(rf'<div class="comment" id="comment-{mine.pk}">.*?</form>', page, re.S)
        html = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", match.group(0))
        return re.sub(r"(<time [^>]*>)[^<]*", r"\1", html)  # "now", or a second later

    assert fresh.status_code == again.status_code == 200
    shown = comment_html(fresh.content.decode())
    assert shown == comment_html(again.content.decode())
    assert "<strong>tides</strong>" in shown and "<script" not in shown and ">Edit</a>" in shown
    assert author.display_name in shown


def test_a_reply_from_a_busy_thread_brings_back_everything_since(client, author, long_discussion):
    document, threads = long_discussion
    thread = threads[0]
    client.force_login(author)
    before = thread.comments.get().pk
    for i in range(15):  # sixteen people replying at once
        thread.reply(by=thread.started_by, body=f"Meanwhile {i}.")
    url = reverse("reviews:reply", args=[document.pk, thread.pk])
    answer = client.post(url, {"body": "Agreed.", "after": before}, headers=HTMX)
    page = answer.content.decode()
    assert answer.status_code == 200 and "HX-Retarget" not in answer
    assert "<article" not in page and "Point 0" not in page  # not the thread again
    shown = [page.index(f"Meanwhile {i}.") for i in range(15)] + [page.index("Agreed.")]
    assert shown == sorted(shown)


def test_what_came_since_is_shown_in_the_threads_time_order(client, author, long_discussion):
    """The catch-up reads the comments after the page's newest by id, and shows them as
    the thread does, by time (an imported or seeded comment's time need not follow ids)."""
    document, threads = long_discussion
    thread = threads[0]
    client.force_login(author)
    before = thread.comments.get().pk
    late, early = (thread.reply(by=thread.started_by, body=b) for b in ("Late.", "Early."))
    Comment.objects.filter(pk=early.pk).update(created_at=late.created_at - timedelta(hours=1))
    url = reverse("reviews:reply", args=[document.pk, thread.pk])
    page = client.post(url, {"body": "Mine.", "after": before}, headers=HTMX).content.decode()
    assert page.index("Early.") < page.index("Late.") < page.index("Mine.")


def test_the_catch_up_reads_from_the_pages_newest_comment_on(db, author, long_discussion):
    """Its query reads an index from the page's newest comment on, not every comment of the
    thread (a busy thread grows by thousands)."""
    from django.db import connection, transaction

    from reviews.views import _comments_after

    _, threads = long_discussion
    query = _comments_after(threads[0].pk, threads[0].comments.get().pk).values_list("pk")
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test's table is tiny
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        # An index scan, or a bitmap scan of the same range and a sort of those few rows.
        assert "comment_thread_id_idx" in plan, plan
        assert re.search(r"Index Cond: \(\(thread_id = .*\) AND \(id > ", plan), plan
    else:
        assert re.search(r"\(thread_id=\? AND (?:rowid|id)>\?\)", plan), plan
        assert "TEMP B-TREE" not in plan, plan  # read in order


def test_a_reply_from_a_page_far_behind_gets_the_whole_thread(client, author, long_discussion):
    document, threads = long_discussion
    thread = threads[0]
    client.force_login(author)
    before = thread.comments.get().pk
    for i in range(CATCH_UP_COMMENTS):
        thread.reply(by=author, body=f"Since then {i}.")
    url = reverse("reviews:reply", args=[document.pk, thread.pk])
    for sent in ({"after": before}, {}, {"after": "not a number"}, {"after": 10**30},
                 {"after": -1}):  # fmt: skip
        answer = client.post(url, {"body": "Late to the party."} | sent, headers=HTMX)
        assert answer.status_code == 200
        assert answer.content.decode().lstrip().startswith(f'<article id="thread-{thread.pk}"')
        assert answer["HX-Retarget"] == f"#thread-{thread.pk}"
        assert answer["HX-Reswap"] == "outerHTML"
    assert thread.comments.filter(body="Late to the party.").count() == 5


def test_a_refused_reply_shows_its_error_in_the_whole_thread(client, author, long_discussion):
    document, threads = long_discussion
    client.force_login(author)
    url = reverse("reviews:reply", args=[document.pk, threads[0].pk])
    answer = client.post(url, {"body": "", "after": threads[0].comments.get().pk}, headers=HTMX)
    page = answer.content.decode()
    assert answer.status_code == 400 and "Write something first" in page
    assert page.lstrip().startswith(f'<article id="thread-{threads[0].pk}"')
    assert answer["HX-Retarget"] == f"#thread-{threads[0].pk}"
    assert answer["HX-Reswap"] == "outerHTML"


def test_resolving_by_htmx_updates_the_counts_and_the_highlights(client, author, long_discussion):
    document, threads = long_discussion
    client.force_login(author)
    url = reverse("reviews:resolve", args=[document.pk, threads[0].pk])
    page = client.post(url, headers=HTMX).content.decode()
    assert "Reopen" in page
    assert f'id="open-count" hx-swap-oob="true">{len(threads) - 1} open' in page
    assert 'id="resolved-count" hx-swap-oob="true">1 resolved' in page
    assert 'id="document-body" data-revision="1" hx-swap-oob="true"' in page


def test_a_long_thread_shows_its_first_and_latest_comments(client, author, document):
    client.force_login(author)
    (thread,) = add_threads(document, [author], 1)
    Comment.objects.bulk_create(
        Comment(thread=thread, author=author, body=f"Reply {i}", body_html=f"<p>Reply {i}</p>")
        for i in range(RECENT_COMMENTS + 5)
    )
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "Point 0<" in page and f"Reply {RECENT_COMMENTS + 4}<" in page
    assert "Reply 0<" not in page and "Show 5 earlier comments" in page
    everything = reverse("reviews:thread", args=[document.pk, thread.pk]) + "?all=1"
    fragment = client.get(everything, headers=HTMX).content.decode()
    assert "Reply 0<" in fragment and "earlier comment" not in fragment
    assert "Reply 0<" in client.get(everything).content.decode()  # without JavaScript too


def test_the_written_out_reply_box_is_what_the_form_renders():
    """_thread.html writes the reply textarea out for speed; it must match the widget."""
    rendered = str(CommentForm(auto_id="id_reply_7_%s")["body"])
    with open("templates/reviews/_thread.html") as template:
        written = template.read()
    expected = rendered.replace("id_reply_7_", "id_reply_{{ tv.thread.pk }}_")
    assert expected in written
    assert CommentForm.base_fields["body"].help_text in written
