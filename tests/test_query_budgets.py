"""Every page the benchmark measures runs a bounded number of SQL queries, the same with
more documents, revisions, comments, threads and verdicts (issue 7).

The data comes from seed_scale (with the 3,000-word document: 300 threads, 1,000
comments), then grows: more documents, revisions on the big document, replies on the
thread the comment POST answers, verdicts on the round the review page shows.
"""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.load import BUSY_THREAD, autosave_fields, pages, saving_drafts, saving_fields
from prfaq.models import Document, Revision, User
from reviews.discussion import CATCH_UP_COMMENTS
from reviews.models import Assignment, Comment, ReviewRound, Verdict

# The most queries each page may run (the counts are asserted equal before and after growth,
# so a page that loops over rows fails even under its budget).
BUDGETS = {
    "empty view (health)": 0,
    # The page's ids from the index, then those rows with their counts.
    "dashboard": 11,
    # On PostgreSQL a search's count and page run in a transaction that steers the planner
    # to the search index (its SET LOCAL, and inside a test the savepoint's two).
    "search": 13,
    # A document's pages, rendered afresh: one query more than they need, the page cache's
    # check of whether the page may be served from the cache.
    "read view, 300 threads": 7,
    "its threads, lazily (htmx)": 10,
    "editor, 3,000 words": 6,
    "history": 6,
    "review page": 11,
    # POSTs: the change, its audit entry, the page cache's counters and the savepoints of the
    # one transaction they share.
    "autosave POST (stale: 409)": 15,
    # A reply from a page that shows the thread's newest comment; and from one far behind,
    # answered with the whole thread (its first comment and latest ones).
    BUSY_THREAD: 13,
    f"{BUSY_THREAD} (a few behind)": 14,  # their ids, then those comments
    f"{BUSY_THREAD} (far behind)": 17,
}


def seed(documents: int) -> None:
    call_command(
        "seed_scale", "--documents", str(documents), "--comments-per-document", "6",
        "--revisions-per-document", "2", "--users", "12", "--big",
    )  # fmt: skip


def page_ids() -> dict:
    big = Document.objects.get(title__contains="3,000-word")
    round_ = ReviewRound.objects.order_by("pk").first()
    return {
        "big": big.pk,
        "version": big.version,
        "round_doc": round_.document_id,
        "round": round_.number,
        "thread": big.threads.order_by("pk").first().pk,
        "after": 0,  # set before each reply
        "csrf": "x",
    }


def query_counts(
    client: Client, ids: dict, *, page_cache: bool = False, gets_only: bool = False
) -> dict[str, int]:
    """Queries per page, each rendered afresh (the whole-page cache emptied first) unless
    ``page_cache``."""
    counts = {}
    ids["after"] = newest_comment(ids["thread"])  # as the reply box of an up-to-date page
    few_behind = newest_comment(ids["thread"], skip=2)  # two comments the page has not shown
    behind = [
        (f"{name} ({label})", path, body.replace(f"after={ids['after']}", f"after={after}"), htmx)
        for name, path, body, htmx in pages(ids)
        if name == BUSY_THREAD
        for label, after in (("a few behind", few_behind), ("far behind", 0))
    ]
    for name, path, body, htmx in [*pages(ids), *behind]:
        if gets_only and body:
            continue
        headers = {"HX-Request": "true"} if htmx else {}
        if not page_cache:
            caches["pages"].clear()
        with CaptureQueriesContext(connection) as queries:
            if body:
                response = client.post(
                    path, body, content_type="application/x-www-form-urlencoded", headers=headers
                )
            else:
                response = client.get(path, headers=headers)
        assert response.status_code in (200, 409), name
        counts[name] = len(queries)
    return counts


def newest_comment(thread: int, skip: int = 0) -> int:
    newest_first = Comment.objects.filter(thread=thread).order_by("-pk")
    return newest_first.values_list("pk", flat=True)[skip]


def grow(ids: dict) -> None:
    """More of everything a page might loop over."""
    seed(40)
    big = Document.objects.get(pk=ids["big"])
    Revision.objects.bulk_create(
        Revision(document=big, number=n, author=big.owner, title=big.title, sealed=True)
        for n in range(2, 60)
    )
    people = list(User.objects.order_by("pk"))
    Comment.objects.bulk_create(
        Comment(thread_id=ids["thread"], author=people[i % len(people)], body=f"more {i}",
                body_html=f"<p>more {i}</p>")
        for i in range(60)
    )  # fmt: skip
    round_ = ReviewRound.objects.get(document_id=ids["round_doc"], number=ids["round"])
    reviewers = [
        User.objects.create(username=f"seed-reviewer-{i}", first_name=f"R{i}") for i in range(25)
    ]
    Assignment.objects.bulk_create(
        Assignment(round=round_, user=person, role="reviewer") for person in reviewers
    )
    Verdict.objects.bulk_create(
        Verdict(round=round_, reviewer=person, revision=round_.revision, big_idea="yes",
                should_we="no", plan="not_yet", decision="request_changes", rationale="More.")
        for person in reviewers
    )  # fmt: skip


@pytest.mark.django_db
def test_every_page_runs_a_fixed_number_of_queries_whatever_the_size(client):
    seed(5)
    ids = page_ids()
    # The replied-to thread is long from the start, like a busy thread: a page that shows
    # none of it is far behind.
    Comment.objects.bulk_create(
        Comment(thread_id=ids["thread"], author_id=Document.objects.get(pk=ids["big"]).owner_id,
                body=f"early {i}", body_html=f"<p>early {i}</p>")
        for i in range(CATCH_UP_COMMENTS + 5)
    )  # fmt: skip
    client.force_login(Document.objects.get(pk=ids["big"]).owner)
    query_counts(client, ids)  # the first visit fills the caches, as on a running server
    small = query_counts(client, ids)
    grow(ids)
    assert Document.objects.count() > 40 and Comment.objects.count() > 1300
    large = query_counts(client, ids)
    assert large == small
    over = {name: n for name, n in large.items() if n > BUDGETS[name]}
    assert over == {}, f"over budget: {over} (budgets {BUDGETS})"


@pytest.mark.django_db
def test_cold_pages_stay_within_budget_too(client, django_assert_max_num_queries):
    """A worker that has cached nothing yet runs no more queries than a warm one."""
    seed(5)
    ids = page_ids()
    client.force_login(Document.objects.get(pk=ids["big"]).owner)
    for name, path, body, htmx in pages(ids):
        if body:
            continue
        with django_assert_max_num_queries(BUDGETS[name] + 1):  # + a gate report, once
            client.get(path, headers={"HX-Request": "true"} if htmx else {})


@pytest.mark.django_db
def test_a_page_seen_again_costs_the_session_the_person_and_the_document(client):
    """From the whole-page cache: the session, the person (with the stamps) and, for a
    document's page, the document that says whether it changed; at any size."""
    seed(5)
    ids = page_ids()
    client.force_login(Document.objects.get(pk=ids["big"]).owner)
    query_counts(client, ids, page_cache=True, gets_only=True)
    small = query_counts(client, ids, page_cache=True, gets_only=True)
    grow(ids)
    query_counts(client, ids, page_cache=True, gets_only=True)
    large = query_counts(client, ids, page_cache=True, gets_only=True)
    assert large == small
    assert large == {
        name: {"empty view (health)": 0, "dashboard": 2, "search": 2}.get(name, 3) for name in large
    }


def saving_autosave(client: Client, document: Document, edit: str, *, partial: bool) -> int:
    """Queries of one autosave that saves ``document`` with ``edit`` appended to its
    problem paragraph: that field alone, as the editor and the benchmark post it, or
    every field (after an autosave that did not land)."""
    document.refresh_from_db()
    if partial:
        fields = saving_fields(document, edit)
    else:
        fields = autosave_fields(document)
        fields["section_problem"] += f" {edit}"
    fields["base_version"] = document.version
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/documents/{document.pk}/autosave/", fields, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert b'data-state="saved"' in response.content
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("partial", [True, False], ids=["changed field", "every field"])
def test_a_saving_autosave_runs_a_fixed_number_of_queries_whatever_the_size(client, partial):
    """The first autosave makes a revision, the next ones rewrite it (coalescing): each a
    fixed number of statements, with more documents and a longer history."""
    seed(5)
    draft = saving_drafts().first()
    client.force_login(draft.owner)
    small = [saving_autosave(client, draft, f"Edit {n}.", partial=partial) for n in range(3)]
    grow(page_ids())
    current = Revision.objects.get(pk=draft.current_revision_id)
    older = Revision.objects.bulk_create(
        Revision(document=draft, number=n, author=draft.owner, title=current.title,
                 content=current.content, rendered=current.rendered, sealed=True)
        for n in range(current.number + 1, current.number + 60)
    )  # fmt: skip
    Document.objects.filter(pk=draft.pk).update(current_revision=older[-1])
    large = [saving_autosave(client, draft, f"Later edit {n}.", partial=partial) for n in range(3)]
    assert large == small
    # Making a revision: the session, the person, the document; in the transaction (BEGIN
    # and COMMIT, in a test a savepoint and its release) its lock, its current revision,
    # the new one, the document's new state, the gates' report, the timeline's event, the
    # audit entry and the page cache's site counter (the document's pages are keyed on its
    # version).
    # Rewriting it: the revision before it (what changed is counted from it), no event.
    # A partial autosave's saved text, which it completes, comes with the document's row.
    # The first rewrite leaves search behind and queues its catch-up (one INSERT); the
    # next ones, within SEARCH_DELAY, find it queued.
    assert small[0] <= 13 and small[1:] == [small[0] + 1, small[0]]
