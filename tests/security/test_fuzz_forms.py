"""Hypothesis throws arbitrary fields at every form: never a 500, never half-written data."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prfaq.models import Document, Revision
from tests.conftest import full_content, make_document, make_user

FIELD_NAMES = st.sampled_from(
    [
        "title", "base_version", "section_problem", "section_headline", "faq-TOTAL_FORMS",
        "faq-INITIAL_FORMS", "faq-MAX_NUM_FORMS", "faq-0-question", "faq-0-answer", "faq-0-side",
        "faq-0-topic", "faq-0-thread", "faq-999-question", "faq_action", "template", "token",
        "section", "quote", "body", "revision", "approvers", "reviewers", "due_date", "decision",
        "rationale", "big_idea", "plan", "should_we", "text", "raw", "paragraph_0", "state",
        "hide", "restricted", "collaborators", "q", "page", "from", "to",
    ]
)  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "0", "-1", "1e9", "nan", "\x00", "on", "approve", "yes", "faq", "problem",
                     "remove:0", "up:-5", "2026-02-30", "99999-01-01", "\ud7ff", "‮"]),
)  # fmt: skip
FORMS = st.dictionaries(FIELD_NAMES, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=12)

ENDPOINTS = [
    ("prfaq:new", False),
    ("prfaq:import", False),
    ("prfaq:edit", True),
    ("prfaq:autosave", True),
    ("prfaq:preview", True),
    ("prfaq:sharing", True),
    ("reviews:thread_new", True),
    ("reviews:subscription", True),
    ("reviews:submit", True),
]


@pytest.fixture
def scene(db):
    author = make_user("author")
    make_user("leader", leader=True)
    return author, make_document(owner=author, content=full_content())


@pytest.mark.parametrize(("name", "takes_document"), ENDPOINTS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=FORMS)
def test_no_form_answers_500_or_leaves_half_a_save(client, scene, name, takes_document, data):
    author, document = scene
    client.force_login(author)
    url = reverse(name, args=[document.pk]) if takes_document else reverse(name)
    clean = {k: ([v.replace("\x00", "") for v in vals] if isinstance(vals, list) else vals)
             for k, vals in data.items()}  # fmt: skip
    for payload in (data, clean):
        try:
            response = client.post(url, payload)
        except ValueError as exc:  # the test client itself refuses NUL in some encodings
            assert "null" in str(exc).lower() or "\x00" in str(exc)
            continue
        assert response.status_code < 500, (url, payload, response.status_code)
    document.refresh_from_db()
    assert document.current_revision.document_id == document.pk
    assert document.current_revision.number == Revision.objects.filter(document=document).count()
    assert Document.objects.filter(current_revision__isnull=True).count() == 0


GET_PAGES = [
    ("prfaq:dashboard", False),
    ("prfaq:compare", True),
    ("prfaq:history", True),
    ("prfaq:document", True),
    ("prfaq:export", True),
    ("reviews:inbox", False),
    ("reviews:people", False),
    ("reviews:timeline", True),
]


@pytest.mark.parametrize(("name", "takes_document"), GET_PAGES)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=FORMS)
def test_no_query_string_answers_500(client, scene, name, takes_document, data):
    author, document = scene
    client.force_login(author)
    url = reverse(name, args=[document.pk]) if takes_document else reverse(name)
    response = client.get(url, data)
    assert response.status_code < 500, (url, data, response.status_code)
