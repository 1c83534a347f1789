"""Comment threads: anchoring, replies, resolution, editing, outdated marks, permissions."""

import pytest
from django.urls import reverse

from prfaq.content import Content
from reviews.models import Comment, Thread
from reviews.workflow import save_draft
from tests.conftest import full_content, make_document, make_user

PROBLEM = "Skippers of small boats misread tides and lose a day's catch."


def start(client, document, **data):
    payload = {"section": "problem", "quote": "", "body": "Is this true?"} | data
    return client.post(reverse("reviews:thread_new", args=[document.pk]), payload)


@pytest.fixture
def reader(client, teammate):
    client.force_login(teammate)
    return client


def test_a_reader_comments_on_a_quoted_passage_and_it_is_highlighted(reader, document):
    response = start(reader, document, quote="misread tides", body="**Which** tides?")
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"#thread-{thread.pk}")
    page = reader.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert (
        f'<mark class="comment-anchor" id="anchor-{thread.pk}"><a href="#thread-{thread.pk}"'
        in page
    )
    assert "<strong>Which</strong> tides?" in page
    assert "1 open" in page and "0 resolved" in page
    assert thread.revision.sealed  # a revision somebody commented on never changes


def test_quote_may_cross_markdown_formatting(author, reader):
    document = make_document(
        owner=author, content=Content(sections={"problem": "They **lose** days."})
    )
    assert start(reader, document, quote="They lose days").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "   "}, "Write something first"),
        ({"body": "x" * 100_000}, "the limit is 10,000"),
        ({"quote": "words that are not there"}, "The quoted passage is not in \u201cProblem\u201d"),
        ({"section": "astrology"}, "That section is not part of this document."),
        ({"revision": 99}, "That revision of the document does not exist."),
        ({"body": "- " * 600 + "x"}, "nests lists or quotes"),
    ],
)
def test_bad_comments_get_a_clear_message_and_nothing_is_saved(reader, document, data, message):
    response = start(reader, document, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Thread.objects.exists()


def test_a_comment_that_cannot_be_shown_is_reported_under_its_box(reader, document):
    page = start(reader, document, body="- " * 600 + "x").content.decode()
    assert '<p id="error_1_id_body"><strong>The comment cannot be shown: it nests' in page


def test_htmx_actions_answer_with_the_discussion_only(reader, document):
    response = reader.post(
        reverse("reviews:thread_new", args=[document.pk]),
        {"section": "problem", "body": "Hello"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="discussion"')
    assert 'id="document-body" data-revision="1" hx-swap-oob="true"' in page
    assert "<nav" not in page


def test_replies_and_resolution(client, author, teammate, document):
    client.force_login(teammate)
    start(client, document)
    thread = Thread.objects.get()
    client.force_login(author)
    client.post(
        reverse("reviews:reply", args=[document.pk, thread.pk]), {"body": "Yes, 212 a year."}
    )
    client.post(reverse("reviews:resolve", args=[document.pk, thread.pk]))
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == author
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "0 open" in page and "1 resolved" in page and "Yes, 212 a year." in page
    client.force_login(teammate)  # the thread's starter may reopen it too
    client.post(reverse("reviews:reopen", args=[document.pk, thread.pk]))
    thread.refresh_from_db()
    assert not thread.is_resolved


def test_only_the_documents_author_or_the_starter_resolves(client, author, teammate, document):
    client.force_login(author)
    start(client, document)
    thread = Thread.objects.get()
    client.force_login(teammate)
    response = client.post(reverse("reviews:resolve", args=[document.pk, thread.pk]))
    assert response.status_code == 403
    thread.refresh_from_db()
    assert not thread.is_resolved


def test_resolving_twice_changes_nothing(client, author, document):
    client.force_login(author)
    start(client, document)
    thread = Thread.objects.get()
    for _ in range(2):
        client.post(reverse("reviews:resolve", args=[document.pk, thread.pk]))
    first = Thread.objects.get().resolved_at
    client.post(reverse("reviews:resolve", args=[document.pk, thread.pk]))
    assert Thread.objects.get().resolved_at == first


def test_people_edit_and_delete_only_their_own_comments(client, author, teammate, document):
    client.force_login(teammate)
    start(client, document, body="Original")
    comment = Comment.objects.get()
    client.force_login(author)
    edit = reverse("reviews:edit", args=[document.pk, comment.pk])
    assert client.post(edit, {"body": "Hijacked"}).status_code == 403
    for unshowable in ("", "- " * 600 + "x"):  # refused as someone else's, whatever the text
        assert client.post(edit, {"body": unshowable}).status_code == 403
    assert client.post(reverse("reviews:delete", args=[document.pk, comment.pk])).status_code == 403
    client.force_login(teammate)
    assert "Original</textarea>" in client.get(edit).content.decode()
    client.post(edit, {"body": "Edited"})
    comment.refresh_from_db()
    assert (comment.body, comment.version) == ("Edited", 2)
    assert "edited" in client.get(reverse("prfaq:document", args=[document.pk])).content.decode()


def test_a_deleted_comment_leaves_a_tombstone_only_where_replies_need_it(
    client, author, teammate, document
):
    client.force_login(teammate)
    start(client, document, body="First words")
    thread = Thread.objects.get()
    first = Comment.objects.get()
    client.force_login(author)
    client.post(reverse("reviews:reply", args=[document.pk, thread.pk]), {"body": "A reply"})
    reply = Comment.objects.get(body="A reply")
    client.force_login(teammate)
    client.post(reverse("reviews:delete", args=[document.pk, first.pk]))
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "Comment deleted" in page and "First words" not in page and "A reply" in page
    client.force_login(author)
    client.post(reverse("reviews:delete", args=[document.pk, reply.pk]))
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "Comment deleted" not in page and "0 open" in page


def test_threads_survive_edits_and_show_as_outdated(client, author, teammate, document):
    client.force_login(teammate)
    start(client, document, quote="misread tides", body="Which tides?")
    start(client, document, section="solution", body="Nice.")
    save_draft(
        document=document,
        by=author,
        title=document.title,
        content=Content(
            sections={**document.current_revision.as_content().sections, "problem": "Rewritten."},
            faq=document.current_revision.as_content().faq,
        ),
        base_version=document.version,
    )
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    problem_thread = page[page.index("misread tides</blockquote>") - 400 :]
    assert "Outdated" in problem_thread[:500]
    assert "2 open" in page and "Nice." in page
    assert page.count(">Outdated<") == 1
    assert "comment-anchor" not in page  # the outdated quote is no longer highlighted


def test_comments_are_sanitised(reader, document):
    start(
        reader,
        document,
        body="<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=y>",
    )
    page = reader.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "<script>alert(1)" not in page and "javascript:" not in page and "onerror" not in page


def test_replying_to_another_documents_thread_is_404(client, author, teammate, document):
    other = make_document(owner=author, title="Other", content=full_content())
    client.force_login(teammate)
    start(client, other)
    thread = Thread.objects.get()
    response = client.post(reverse("reviews:reply", args=[document.pk, thread.pk]), {"body": "x"})
    assert response.status_code == 404
    assert (
        client.post(reverse("reviews:reply", args=[document.pk, 999]), {"body": "x"}).status_code
        == 404
    )


def test_outsiders_never_reach_a_restricted_documents_comments(
    client, collaborator, outsider, restricted
):
    client.force_login(collaborator)
    start(client, restricted, body="Secret remark")
    thread, comment = Thread.objects.get(), Comment.objects.get()
    client.force_login(outsider)
    urls = [
        reverse("reviews:thread_new", args=[restricted.pk]),
        reverse("reviews:reply", args=[restricted.pk, thread.pk]),
        reverse("reviews:resolve", args=[restricted.pk, thread.pk]),
        reverse("reviews:to_faq", args=[restricted.pk, thread.pk]),
        reverse("reviews:edit", args=[restricted.pk, comment.pk]),
        reverse("reviews:delete", args=[restricted.pk, comment.pk]),
        reverse("reviews:subscription", args=[restricted.pk]),
    ]
    for url in urls:
        response = client.post(url, {"body": "x", "section": "problem"})
        assert response.status_code == 404, url
        assert "Secret remark" not in response.content.decode()


def test_an_editor_turns_a_question_into_an_faq_entry(client, author, teammate, document):
    client.force_login(teammate)
    start(client, document, body="Good start. How will we price it for fleets?")
    thread = Thread.objects.get()
    url = reverse("reviews:to_faq", args=[document.pk, thread.pk])
    assert client.post(url).status_code == 403  # teammates read, they do not edit
    client.force_login(author)
    client.post(url)
    document.refresh_from_db()
    entry = document.current_revision.as_content().faq[-1]
    assert (entry.question, entry.side, entry.thread) == (
        "How will we price it for fleets?",
        "internal",
        thread.pk,
    )
    assert Thread.objects.get().faq_added_at is not None
    assert Comment.objects.filter(body__startswith="Added to the FAQ as question 3").exists()
    editor = client.get(reverse("prfaq:edit", args=[document.pk])).content.decode()
    assert f'name="faq-2-thread" value="{thread.pk}"' in editor
    assert client.post(url).status_code == 302  # twice: refused with a message, no second entry
    document.refresh_from_db()
    assert len(document.current_revision.as_content().faq) == 3


def test_reading_mode_hides_every_comment_and_highlight(reader, document):
    start(reader, document, quote="misread tides", body="Visible remark")
    page = reader.get(
        reverse("prfaq:document", args=[document.pk]), {"reading": "1"}
    ).content.decode()
    assert "Visible remark" not in page and "comment-anchor" not in page
    assert "Show comments" in page


def test_blind_reading_hides_others_comments_until_i_post(client, author, teammate, document):
    client.force_login(author)
    start(client, document, body="The author's own note")
    document.status = document.Status.IN_REVIEW
    document.save(update_fields=["status"])
    client.force_login(teammate)
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "Hide others' comments until I post mine" in page
    client.post(reverse("reviews:blind_reading", args=[document.pk]), {"hide": "1"})
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "own note" not in page and "hidden until you post" in page
    start(client, document, body="My own first reading")
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "own note" in page and "My own first reading" in page


def test_document_page_queries_stay_flat_with_300_threads(
    client, author, django_assert_max_num_queries
):
    document = make_document(owner=author, content=full_content())
    people = [make_user(f"person{i}") for i in range(5)]
    threads = Thread.objects.bulk_create(
        Thread(
            document=document,
            revision=document.current_revision,
            section="problem",
            quote="",
            section_digest="",
            started_by=people[i % 5],
        )
        for i in range(300)
    )
    Comment.objects.bulk_create(
        Comment(
            thread=threads[i % 300], author=people[i % 5], body=f"c{i}", body_html=f"<p>c{i}</p>"
        )
        for i in range(1000)
    )
    client.force_login(author)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("prfaq:document", args=[document.pk]))
    assert "300 open" in response.content.decode()


def test_replies_to_resolved_or_emptied_threads_are_refused(client, author, teammate, document):
    client.force_login(teammate)
    start(client, document, body="Only comment")
    thread = Thread.objects.get()
    client.force_login(author)
    client.post(reverse("reviews:resolve", args=[document.pk, thread.pk]))
    url = reverse("reviews:reply", args=[document.pk, thread.pk])
    response = client.post(url, {"body": "Late reply"})
    assert response.status_code == 400
    assert "This thread is resolved: reopen it to reply." in response.content.decode()
    client.post(reverse("reviews:reopen", args=[document.pk, thread.pk]))
    client.force_login(teammate)
    client.post(reverse("reviews:delete", args=[document.pk, Comment.objects.get().pk]))
    response = client.post(url, {"body": "Revive"})
    assert "comments were deleted" in response.content.decode()
    assert Comment.objects.filter(body="Revive").count() == 0
    page = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "open thread" not in page


def test_quotes_are_marked_without_breaking_entities_or_links(author, reader):
    document = make_document(
        owner=author,
        content=Content(
            sections={"problem": "R&D costs rise; we amp up [the docs](https://e.com) and the docs"}
        ),
    )
    start(reader, document, quote="amp")
    start(reader, document, quote="the docs")
    page = reader.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "R&amp;D" in page
    assert (
        '<a href="https://e.com" rel="noopener noreferrer nofollow">the docs</a> and <mark' in page
    )


def test_a_faq_answer_can_be_quoted_and_is_highlighted(reader, document):
    assert start(reader, document, section="faq", quote="Plain SMS").status_code == 302
    page = reader.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "comment-anchor" in page and ">Plain SMS</a></mark>" in page


def test_dashboard_counts_open_threads_per_document(reader, document):
    start(reader, document)
    page = reader.get(reverse("prfaq:dashboard")).content.decode()
    assert "1 open thread<" in page


def test_the_editor_preview_highlights_quotes_linking_to_the_read_view(
    client, author, reader, document
):
    start(reader, document, quote="misread tides")
    thread = Thread.objects.get()
    client.force_login(author)
    page = client.get(reverse("prfaq:edit", args=[document.pk])).content.decode()
    assert f'href="/documents/{document.pk}/#thread-{thread.pk}"' in page


def test_markdown_is_rendered_before_the_transaction_that_posts_it(
    monkeypatch, client, teammate, document
):
    """Rendering is the slowest part of posting; the transaction holds the thread's row (on
    SQLite, the whole database's write lock) while other writers wait."""
    from django.db import connection

    from reviews import models

    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths = []

    def render(text: str) -> str:
        depths.append(len(connection.atomic_blocks))
        return original(text)

    original = models.render_markdown
    monkeypatch.setattr(models, "render_markdown", render)
    client.force_login(teammate)
    start(client, document, body="**Which** tides?")
    thread = Thread.objects.get()
    reply = reverse("reviews:reply", args=[document.pk, thread.pk])
    client.post(reply, {"body": "The _spring_ tides."})
    comment = thread.comments.order_by("pk").first()
    client.post(reverse("reviews:edit", args=[document.pk, comment.pk]), {"body": "*Neap* tides?"})
    bodies = list(thread.comments.order_by("pk").values_list("body_html", flat=True))
    assert bodies == ["<p><em>Neap</em> tides?</p>", "<p>The <em>spring</em> tides.</p>"]
    assert depths == [outside] * 3
