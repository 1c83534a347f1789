"""Reading, history, comparing and finding documents."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prfaq.content import Content, FaqEntry
from prfaq.models import Document, sqlite_search_index
from reviews.workflow import save_draft
from tests.conftest import make_document, make_long_document, make_user


@pytest.fixture
def reader(client, teammate):
    client.force_login(teammate)
    return client


def test_read_view_shows_press_release_then_faq(reader, document):
    page = reader.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    headline = page.index("Tide Alerts tell skippers when the bar is safe")
    problem = page.index("Skippers of small boats misread tides")
    faq = page.index("Frequently asked questions")
    assert headline < problem < faq
    assert page.index("Does it need a smartphone?") < page.index("What does it cost?")
    assert 'class="doc-page"' in page
    assert "Finances" in page  # the FAQ topic label


def test_read_view_renders_markdown_and_strips_scripts(client, author):
    content = Content(
        sections={
            "problem": "Skippers **lose** [trips](javascript:alert(1)) <img src=x onerror=alert(1)>"
        },
        faq=(FaqEntry("<script>alert(1)</script>Q?", "<b onclick='x()'>A</b>"),),
    )
    document = make_document(owner=author, content=content)
    client.force_login(author)
    page = client.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert "<strong>lose</strong>" in page
    assert "javascript:" not in page
    assert "onerror" not in page
    assert "onclick" not in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Q?" in page  # questions are plain text


def test_print_stylesheet_hides_chrome_and_breaks_before_faq(reader, document):
    page = reader.get(reverse("prfaq:document", args=[document.pk])).content.decode()
    assert 'href="/static/css/app.css"' in page
    response = reader.get("/static/css/app.css")
    css = b"".join(response.streaming_content).decode()
    assert "@media print" in css
    print_rules = css[css.index("@media print") :]
    assert ".navbar" in print_rules and "display: none" in print_rules
    assert ".doc-faq { break-before: page" in print_rules


def test_old_revision_is_readable_and_says_so(reader, document, author):
    document.save_content(
        by=author,
        title=document.title,
        content=Content(sections={"problem": "Rewritten problem."}),
        base_version=document.version,
    )
    page = reader.get(reverse("prfaq:revision", args=[document.pk, 1])).content.decode()
    assert "You are reading revision 1" in page
    assert "Skippers of small boats misread tides" in page
    assert reader.get(reverse("prfaq:revision", args=[document.pk, 99])).status_code == 404


def test_history_lists_who_when_and_what_changed(reader, document, collaborator):
    document.save_content(
        by=collaborator,
        title="Tide Alerts for skippers",
        content=Content(
            sections={"problem": "New problem."}, faq=document.current_revision.as_content().faq
        ),
        base_version=document.version,
    )
    page = reader.get(reverse("prfaq:history", args=[document.pk])).content.decode()
    assert "collaborator" in page
    assert ">Title<" in page and ">Problem<" in page
    assert "r2" in page and "r1" in page


def test_compare_highlights_words_per_section(reader, document, author):
    document.save_content(
        by=author,
        title=document.title,
        content=Content(
            sections={
                "headline": "Tide Alerts tell skippers when the bar is safe",
                "problem": "Skippers of small boats misread tides and lose a week's catch.",
                "solution": "One text message each evening with the safe windows.",
            },
            faq=document.current_revision.as_content().faq,
        ),
        base_version=document.version,
    )
    response = reader.get(reverse("prfaq:compare", args=[document.pk]), {"from": 1, "to": 2})
    page = response.content.decode()
    assert "<del>day</del><ins>week</ins>" in page
    assert "1 section changed" in page


def test_compare_with_unknown_revision_is_404(reader, document):
    url = reverse("prfaq:compare", args=[document.pk])
    assert reader.get(url, {"from": 1, "to": 77}).status_code == 404
    assert reader.get(url, {"from": "x", "to": 1}).status_code == 404
    assert reader.get(url).status_code == 404


def test_history_and_read_view_query_counts_are_bounded(
    reader, author, django_assert_max_num_queries
):
    document = make_long_document(owner=author)
    for name in ("prfaq:history", "prfaq:document"):
        with django_assert_max_num_queries(12):
            assert reader.get(reverse(name, args=[document.pk])).status_code == 200


def test_dashboard_lists_team_and_my_documents(client, author, teammate, document, restricted):
    mine = make_document(owner=teammate, title="Teammate's own")
    client.force_login(teammate)
    team = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "Tide Alerts" in team and "Teammate&#x27;s own" in team
    assert "Secret plan" not in team
    only_mine = client.get(reverse("prfaq:dashboard"), {"scope": "mine"}).content.decode()
    assert "Teammate&#x27;s own" in only_mine and "Tide Alerts" not in only_mine
    assert mine.word_count == 0 and "0 words" in only_mine


def test_dashboard_search_finds_text_not_just_titles(client, teammate, document, restricted):
    client.force_login(teammate)
    found = client.get(reverse("prfaq:dashboard"), {"q": "skippers tides"}).content.decode()
    assert "Tide Alerts" in found
    assert "Secret plan" not in found  # restricted, even though its text matches
    none = client.get(reverse("prfaq:dashboard"), {"q": "zebra"}).content.decode()
    assert "Nothing matches" in none


def test_dashboard_search_as_htmx_returns_only_the_list(client, teammate, document):
    client.force_login(teammate)
    response = client.get(reverse("prfaq:dashboard"), {"q": "tide"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'id="document-list"' in page and '<nav class="navbar' not in page
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_dashboard_paginates_with_bounded_queries(client, author, django_assert_max_num_queries):
    for i in range(45):
        make_document(owner=author, title=f"Doc {i:02}")
    client.force_login(author)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "Page 1 of 3" in page
    assert "Doc 44" in page and "Doc 00" not in page
    last = client.get(reverse("prfaq:dashboard"), {"page": 3}).content.decode()
    assert "Doc 00" in last
    assert client.get(reverse("prfaq:dashboard"), {"page": "zzz"}).status_code == 200


def test_empty_dashboard_invites_a_first_document(client, db):
    client.force_login(make_user("newcomer"))
    page = client.get(reverse("prfaq:dashboard")).content.decode()
    assert "Your team has no documents yet" in page
    assert Document.objects.count() == 0


def test_search_uses_the_full_text_index_on_postgresql(db, author, document):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("The GIN index exists on PostgreSQL only; SQLite searches by substring.")
    queryset = Document.objects.all().search("skippers")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "document_search_vector_idx" in plan
    # Ranked from the stored vector, not from each matching document's text.
    assert "to_tsvector" not in plan
    assert list(queryset) == [document]


def test_a_search_on_postgresql_reads_the_index_however_many_documents_match(db, author, document):
    """The planner does not count reading each row's stored vector: left alone, it scans
    the table for a word in many documents. ``searching`` steers it to the index."""
    from django.db import connection

    from prfaq.models import searching

    if connection.vendor != "postgresql":
        pytest.skip("The GIN index exists on PostgreSQL only.")
    queryset = Document.objects.search("skippers").order_by()
    sql, params = queryset.query.sql_with_params()
    with searching("skippers"), connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT COUNT(*) FROM (" + sql + ") counted", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        found = queryset.count()
    assert "document_search_vector_idx" in plan and "Seq Scan" not in plan
    assert found == 1


def needs_the_sqlite_index() -> None:
    if not sqlite_search_index():
        pytest.skip("The FTS5 index is SQLite's (migration 0007); PostgreSQL has its own.")


def test_search_on_sqlite_reads_the_index_not_every_text(db, author, document):
    from django.db import connection

    needs_the_sqlite_index()
    queryset = Document.objects.search("skip tide")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert "prfaq_document_fts VIRTUAL TABLE INDEX" in plan
    assert "LIKE" not in sql.upper()  # no word is looked for in the texts themselves
    assert list(queryset) == [document]


def test_search_finds_words_and_their_beginnings_whatever_the_case_and_accents(db, author):
    needs_the_sqlite_index()
    cafe = make_document(owner=author, title="Café receipts", content=Content(
        sections={"problem": "Owners RECONCILE receipts by hand."}, faq=()))  # fmt: skip
    boats = make_document(owner=author, title="Boats", content=Content(
        sections={"problem": "Skippers of small boats misread tides."}, faq=()))  # fmt: skip

    def found(query: str) -> set:
        return set(Document.objects.search(query))

    assert found("cafe") == found("CAFÉ") == found("reconc") == {cafe}
    assert found("skip tides") == {boats}
    assert found("kipper") == set()  # the middle of a word is not a word's beginning
    assert found("cafe skippers") == set()  # every word, not any
    assert found("receipts —") == set()  # a "word" without letters: looked for as it is
    assert found('"boats"') == found("boats*") == found("(boats)") == {boats}


def test_the_search_index_follows_saves_bulk_writes_and_deletes(db, author, document):
    """PostgreSQL's stored vector and SQLite's FTS5 index, both updated by the database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        needs_the_sqlite_index()
    assert list(Document.objects.search("lighthouses")) == []
    content = Content(sections={"problem": "Lighthouses fail."}, faq=())
    save_draft(document=document, by=author, title=document.title, content=content,
               base_version=document.version)  # fmt: skip
    assert list(Document.objects.search("lighthouse")) == [document]
    assert list(Document.objects.search("skippers")) == []
    Document.objects.filter(pk=document.pk).update(search_text="Foghorns")
    assert list(Document.objects.search("foghorn")) == [document]
    (bulk,) = Document.objects.bulk_create(
        [Document(title="Bulk", template=document.template, owner=author, search_text="Buoys")]
    )
    assert list(Document.objects.search("buoys")) == [bulk]
    bulk.delete()
    assert list(Document.objects.search("buoys")) == []


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_search_is_answered_never_an_error(db, document, query):
    assert Document.objects.search(query).count() in (0, 1)


def test_search_with_a_null_character_is_not_an_error(reader, document):
    response = reader.get(reverse("prfaq:dashboard"), {"q": "ti\x00de"})
    assert response.status_code == 200


def test_huge_changes_are_compared_by_block_not_word_by_word():
    from prfaq.diffing import word_diff

    old, new = "tide " * 5000, "ebb " * 5000
    html = str(word_diff(old, new))
    assert html == f"<del>{old}</del><ins>{new}</ins>"
    assert (
        str(word_diff("one\ntwo day\n", "one\ntwo week\n"))
        == "one\ntwo <del>day\n</del><ins>week\n</ins>"
    )
