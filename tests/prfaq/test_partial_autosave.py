"""A partial autosave (the fields changed since the last one) saves exactly the saved text
with those fields replaced, or refuses with a message and changes nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prfaq.models import Document

TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
SECTIONS = ("headline", "subheading", "problem", "solution", "customer_quote")
ENTRY = st.fixed_dictionaries(
    {"question": TEXT, "answer": TEXT, "side": st.sampled_from(["external", "internal"])}
)
POSTS = st.fixed_dictionaries(
    {},
    optional={
        "title": TEXT,
        **{f"section_{key}": TEXT for key in SECTIONS},
        "faq": st.lists(ENTRY, max_size=3),
    },
)


def form_of(post: dict) -> dict:
    form = {key: value for key, value in post.items() if key != "faq"}
    if "faq" in post:
        form |= {"faq-TOTAL_FORMS": len(post["faq"]), "faq-INITIAL_FORMS": 0}
        for i, entry in enumerate(post["faq"]):
            form |= {f"faq-{i}-{name}": value for name, value in entry.items()}
    return form


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(post=POSTS)
def test_a_partial_autosave_replaces_what_it_posts_and_nothing_else(client, document, post):
    client.force_login(document.owner)
    before = Document.objects.select_related("current_revision").get(pk=document.pk)
    saved = before.current_revision.as_content()
    response = client.post(
        f"/documents/{document.pk}/autosave/",
        form_of(post) | {"base_version": before.version},
        headers={"HX-Request": "true"},
    )
    after = Document.objects.select_related("current_revision").get(pk=document.pk)
    content = after.current_revision.as_content()
    if response.status_code == 400:
        page = response.content.decode()
        blank_title = "title" in post and not post["title"].strip()
        assert "Not saved." in page
        assert ("Give the document a title." in page) == blank_title
        assert blank_title or "cannot be shown as Markdown" in page
        assert (after.version, after.title, content) == (before.version, before.title, saved)
        return
    assert response.status_code == 200, response.content
    expected_title = post["title"].strip() if "title" in post else before.title
    assert after.title == expected_title
    for spec in after.outline.text_sections:
        posted = post.get(f"section_{spec.key}")
        expected = saved.section(spec.key) if posted is None else posted.replace("\r\n", "\n")
        assert content.section(spec.key) == expected, spec.key
    if "faq" not in post:
        assert content.faq == saved.faq
    else:
        # A question is one line; an answer is stripped (Django's CharField) and kept.
        entries = [
            (" ".join(e["question"].split()), e["answer"].strip().replace("\r\n", "\n"), e["side"])
            for e in post["faq"]
        ]
        kept = [entry for entry in entries if entry[0] or entry[1]]
        assert [(e.question, e.answer, e.side) for e in content.faq] == kept
