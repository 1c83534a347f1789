"""The editor: saving, autosave, conflicts, the FAQ, bad input and who may edit."""

import pytest
from django.urls import reverse
from django.utils import timezone

import prfaq.forms
from prfaq.content import SECTION_MAX_CHARS
from prfaq.models import Document
from tests.conftest import PASSWORD, make_long_document


def editor_data(document: Document, **overrides) -> dict:
    """What the editor form posts for ``document`` as it stands, with overrides."""
    revision = document.current_revision
    data = prfaq.forms.editor_data(
        title=document.title, content=revision.as_content(), outline=document.outline
    )
    data |= {"base_version": document.version, "faq-MIN_NUM_FORMS": 0, "faq-MAX_NUM_FORMS": 200}
    return data | overrides


def problem_of(document: Document) -> str:
    document.refresh_from_db()
    return document.current_revision.as_content().section("problem")


def test_author_sees_every_section_with_guidance_and_budget(author_client, document):
    response = author_client.get(reverse("prfaq:edit", args=[document.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for spec in document.outline.sections:
        assert spec.title in page
    assert "Describe the customer's pain today" in page
    assert "/ 120 words" in page
    assert f'hx-post="/documents/{document.pk}/autosave/"' in page
    # No text or base version put back by the browser when the page is opened again: the
    # page shows what is saved, and says so.
    assert 'id="editor-form" method="post"' in page and 'novalidate autocomplete="off"' in page


def test_save_creates_revision_and_redirects(author_client, document):
    url = reverse("prfaq:edit", args=[document.pk])
    data = editor_data(document, section_problem="Skippers misread tides every week.")
    response = author_client.post(url, data)
    assert response.status_code == 302
    assert problem_of(document) == "Skippers misread tides every week."
    assert "Saved." in author_client.get(url).content.decode()


def test_double_submitted_save_is_harmless(author_client, document):
    url = reverse("prfaq:edit", args=[document.pk])
    data = editor_data(document, section_problem="Once.")
    first = author_client.post(url, data)
    second = author_client.post(url, data)  # same stale base version
    assert first.status_code == second.status_code == 302
    assert document.revisions.count() == 2  # the fixture's one, and this save
    assert "No changes to save." in author_client.get(url).content.decode()


def test_autosave_answers_with_status_and_new_version(author_client, document):
    url = reverse("prfaq:autosave", args=[document.pk])
    response = author_client.post(
        url, editor_data(document, section_problem="Typing…"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="saved"' in page
    assert f'value="{document.version + 1}" hx-swap-oob="true"' in page
    saved_at = timezone.localtime(document.revisions.order_by("-number")[0].updated_at)
    assert f'<time datetime="{saved_at.isoformat()}">' in page
    assert "<nav" not in page  # a fragment, not the page
    assert problem_of(document) == "Typing…"


def lose_a_race(client, document, *, winner, loser, url_name: str):
    """``loser`` opens the editor, ``winner`` saves first, then ``loser`` saves; its response."""
    stale = editor_data(document, section_problem="Author's words")
    client.force_login(winner)
    client.post(
        reverse(url_name, args=[document.pk]),
        editor_data(document, section_problem="Collaborator's words"),
    )
    client.force_login(loser)
    return stale, client.post(reverse(url_name, args=[document.pk]), stale)


def test_stale_autosave_is_refused_and_says_who_saved(client, author, collaborator, document):
    _, response = lose_a_race(
        client, document, winner=collaborator, loser=author, url_name="prfaq:autosave"
    )
    assert response.status_code == 409
    assert "saved a newer version" in response.content.decode()
    assert problem_of(document) == "Collaborator's words"


def test_stale_save_shows_both_texts_side_by_side_and_keeps_mine(
    client, author, collaborator, document
):
    stale, response = lose_a_race(
        client, document, winner=collaborator, loser=author, url_name="prfaq:edit"
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Author&#x27;s words</textarea>" in page
    assert "Newer text by collaborator" in page
    assert "Collaborator&#x27;s words" in page
    assert "Save my version" in page
    document.refresh_from_db()
    assert f'name="base_version" value="{document.version}"' in page
    # Pressing "Save my version" from the conflict view now wins, knowingly.
    merged = stale | {"base_version": document.version, "section_problem": "Merged words"}
    assert client.post(reverse("prfaq:edit", args=[document.pk]), merged).status_code == 302
    assert problem_of(document) == "Merged words"


def test_too_long_section_is_refused_with_a_clear_message_and_text_kept(author_client, document):
    huge = "word " * (SECTION_MAX_CHARS // 5 + 1)
    url = reverse("prfaq:edit", args=[document.pk])
    response = author_client.post(url, editor_data(document, section_problem=huge))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Problem is too long" in page
    assert "the limit is 50,000" in page
    assert huge.strip()[:1000] in page
    autosave = author_client.post(
        reverse("prfaq:autosave", args=[document.pk]), editor_data(document, section_problem=huge)
    )
    assert autosave.status_code == 400
    assert "Not saved." in autosave.content.decode()


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Give the document a title."), ("x" * 300, "The title is too long")],
)
def test_bad_titles_get_a_message(author_client, document, title, message):
    url = reverse("prfaq:edit", args=[document.pk])
    response = author_client.post(url, editor_data(document, title=title))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_odd_unicode_round_trips(author_client, document):
    text = "\u202eRTL override, emoji 👩‍👩‍👧 with zero-width joiners, e\u0301, \u200fmark"
    url = reverse("prfaq:edit", args=[document.pk])
    author_client.post(url, editor_data(document, section_problem=text, title="Tít\u200dle 🚀"))
    document.refresh_from_db()
    assert problem_of(document) == text
    assert document.title == "Tít\u200dle 🚀"


def test_null_characters_are_refused_not_crashing(author_client, document):
    url = reverse("prfaq:edit", args=[document.pk])
    response = author_client.post(url, editor_data(document, section_problem="a\x00b"))
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


def test_faq_entries_are_added_reordered_and_removed_without_javascript(author_client, document):
    url = reverse("prfaq:edit", args=[document.pk])
    response = author_client.post(url, editor_data(document, faq_action="add"))
    assert response.status_code == 200
    assert 'name="faq-2-question"' in response.content.decode()
    assert document.revisions.count() == 1  # an empty new question is not a change

    author_client.post(url, editor_data(document, faq_action="down:0"))
    document.refresh_from_db()
    questions = [e.question for e in document.current_revision.as_content().faq]
    assert questions == ["What does it cost?", "Does it need a smartphone?"]

    document.refresh_from_db()
    author_client.post(url, editor_data(document, faq_action="remove:1"))
    document.refresh_from_db()
    assert [e.question for e in document.current_revision.as_content().faq] == [
        "What does it cost?"
    ]


def test_faq_side_and_topic_are_kept(author_client, document):
    url = reverse("prfaq:edit", args=[document.pk])
    data = editor_data(document)
    data |= {
        "faq-TOTAL_FORMS": 3,
        "faq-2-question": "Why now?",
        "faq-2-answer": "Open Banking became free.",
        "faq-2-side": "internal",
        "faq-2-topic": "why-now",
    }
    author_client.post(url, data)
    document.refresh_from_db()
    entry = document.current_revision.as_content().faq[2]
    assert (entry.side, entry.topic) == ("internal", "why-now")


def test_unknown_faq_topic_gets_a_message(author_client, document):
    url = reverse("prfaq:edit", args=[document.pk])
    response = author_client.post(url, editor_data(document, **{"faq-0-topic": "astrology"}))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_preview_renders_unsaved_text_sanitised(author_client, document):
    response = author_client.post(
        reverse("prfaq:preview", args=[document.pk]),
        editor_data(document, section_problem="**Bold** <script>alert(1)</script>"),
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page
    assert "<nav" not in page
    assert problem_of(document) != "**Bold** <script>alert(1)</script>"


def test_signed_out_save_keeps_text_through_sign_in(client, author, document):
    url = reverse("prfaq:edit", args=[document.pk])
    response = client.post(url, editor_data(document, section_problem="Written while away"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    login = client.post(
        response.url, {"username": "author", "password": PASSWORD, "next": url}, follow=True
    )
    page = login.content.decode()
    assert "Your text from before you were signed out is back" in page
    assert "Written while away</textarea>" in page


def test_signed_out_autosave_says_so(client, document):
    response = client.post(
        reverse("prfaq:autosave", args=[document.pk]),
        editor_data(document, section_problem="x"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 401
    page = response.content.decode()
    assert "you are signed out" in page
    sign_in = f"{reverse('login')}?next={reverse('prfaq:edit', args=[document.pk])}"
    assert f'href="{sign_in}" target="_blank"' in page


def test_teammate_can_read_but_not_edit(client, teammate, document):
    client.force_login(teammate)
    assert client.get(reverse("prfaq:document", args=[document.pk])).status_code == 200
    for name in ("prfaq:edit", "prfaq:sharing"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 403
    response = client.post(
        reverse("prfaq:autosave", args=[document.pk]), editor_data(document, section_problem="x")
    )
    assert response.status_code == 403
    assert problem_of(document) != "x"


def test_collaborator_edits_but_cannot_change_sharing(client, collaborator, document):
    client.force_login(collaborator)
    assert client.get(reverse("prfaq:edit", args=[document.pk])).status_code == 200
    assert client.get(reverse("prfaq:sharing", args=[document.pk])).status_code == 403


DOCUMENT_URLS = [
    ("prfaq:document", "get"),
    ("prfaq:edit", "get"),
    ("prfaq:edit", "post"),
    ("prfaq:autosave", "post"),
    ("prfaq:preview", "post"),
    ("prfaq:history", "get"),
    ("prfaq:compare", "get"),
    ("prfaq:sharing", "get"),
    ("prfaq:sharing", "post"),
]


@pytest.mark.parametrize(("name", "method"), DOCUMENT_URLS)
def test_outsider_gets_404_for_restricted(client, outsider, restricted, name, method):
    client.force_login(outsider)
    url = reverse(name, args=[restricted.pk])
    response = getattr(client, method)(url, {"from": 1, "to": 2} if method == "get" else {})
    assert response.status_code == 404
    assert "Secret plan" not in response.content.decode()


def test_outsider_gets_404_for_a_restricted_revision(client, outsider, restricted):
    client.force_login(outsider)
    assert client.get(reverse("prfaq:revision", args=[restricted.pk, 1])).status_code == 404


@pytest.mark.parametrize(("name", "method"), DOCUMENT_URLS)
def test_unknown_document_is_404(author_client, name, method):
    response = getattr(author_client, method)(reverse(name, args=[999999]))
    assert response.status_code == 404


def test_leader_and_collaborator_read_restricted(client, leader, collaborator, restricted):
    for user in (leader, collaborator):
        client.force_login(user)
        assert client.get(reverse("prfaq:document", args=[restricted.pk])).status_code == 200


@pytest.mark.parametrize("name", ["prfaq:document", "prfaq:edit", "prfaq:history"])
def test_anonymous_is_sent_to_sign_in(client, document, name):
    response = client.get(reverse(name, args=[document.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_author_shares_and_restricts(author_client, document, teammate, outsider):
    url = reverse("prfaq:sharing", args=[document.pk])
    response = author_client.post(
        url, {"restricted": "on", "collaborators": "teammate, @collaborator"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.restricted
    assert set(document.collaborators.values_list("username", flat=True)) == {
        "teammate",
        "collaborator",
    }
    bad = author_client.post(url, {"collaborators": "nobody-here"})
    assert "No active user is called nobody-here." in bad.content.decode()


def test_new_document_from_each_template(author_client):
    for key, section in (("prfaq", "Leader quote"), ("one-pager", "How we will know it worked")):
        response = author_client.post(
            reverse("prfaq:new"), {"title": f"From {key}", "template": key}
        )
        document = Document.objects.get(title=f"From {key}")
        assert response.url == reverse("prfaq:edit", args=[document.pk])
        assert section in author_client.get(response.url).content.decode()


def test_double_submitted_new_document_form_creates_one_document(author_client):
    data = {"title": "Once", "template": "prfaq", "token": "6f1c8f1e-9a4c-4d3e-8f57-0d7f2b7a9b10"}
    first = author_client.post(reverse("prfaq:new"), data)
    second = author_client.post(reverse("prfaq:new"), data)
    assert Document.objects.filter(title="Once").count() == 1
    assert first.url == second.url


def test_unknown_template_gets_a_message(author_client):
    response = author_client.post(reverse("prfaq:new"), {"title": "X", "template": "sonnet"})
    assert response.status_code == 200
    assert "Choose one of the templates below." in response.content.decode()
    assert not Document.objects.exists()


def test_editor_query_count_is_bounded(author_client, author, django_assert_max_num_queries):
    document = make_long_document(owner=author)
    with django_assert_max_num_queries(8):
        response = author_client.get(reverse("prfaq:edit", args=[document.pk]))
    assert response.status_code == 200
    assert 'name="faq-39-question"' in response.content.decode()


def test_markdown_that_would_crash_the_renderer_gets_a_message(author_client, document):
    nested = "- " * 600 + "x"
    url = reverse("prfaq:edit", args=[document.pk])
    response = author_client.post(url, editor_data(document, section_problem=nested))
    assert response.status_code == 400
    assert "nests lists or quotes more than 60 levels deep" in response.content.decode()
    brackets = author_client.post(
        reverse("prfaq:preview", args=[document.pk]),
        editor_data(document, section_solution="[a" * 6000),
    )
    assert brackets.status_code == 200
    assert "more than 500" in brackets.content.decode()


def test_faq_buttons_without_javascript_count_blank_questions(author_client, document):
    data = editor_data(document)
    data |= {
        "faq-TOTAL_FORMS": 4,
        "faq-0-question": "",
        "faq-0-answer": "",
        "faq-1-question": "A?",
        "faq-2-question": "B?",
        "faq-3-question": "C?",
        "faq-3-side": "external",
        "faq_action": "remove:1",
    }
    data |= {f"faq-{i}-side": "external" for i in range(4)} | {
        f"faq-{i}-answer": "" for i in (1, 2, 3)
    }
    author_client.post(reverse("prfaq:edit", args=[document.pk]), data)
    document.refresh_from_db()
    assert [e.question for e in document.current_revision.as_content().faq] == ["B?", "C?"]


def test_save_after_an_autosave_keeps_the_autosaved_revision(author_client, document):
    autosave = reverse("prfaq:autosave", args=[document.pk])
    author_client.post(autosave, editor_data(document, section_problem="Keep me."))
    document.refresh_from_db()
    kept = document.current_revision
    response = author_client.post(
        reverse("prfaq:edit", args=[document.pk]), editor_data(document, section_problem="Keep me.")
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.sealed
    document.refresh_from_db()
    author_client.post(autosave, editor_data(document, section_problem="Later."))
    kept.refresh_from_db()
    assert kept.as_content().section("problem") == "Keep me."


def test_signed_out_stash_keeps_only_editor_fields_of_a_sane_size(client, document):
    url = reverse("prfaq:autosave", args=[document.pk])
    client.post(url, editor_data(document, section_problem="mine") | {"junk": "x"})
    stash = client.session["unsaved-edits"]
    assert "junk" not in stash["fields"] and stash["fields"]["section_problem"] == ["mine"]
    client.post(url, {"section_problem": "x" * 700_000})
    assert client.session["unsaved-edits"]["fields"]["section_problem"] == ["mine"]


def test_a_successful_save_forgets_the_stash(client, author, document):
    url = reverse("prfaq:autosave", args=[document.pk])
    client.post(url, editor_data(document, section_problem="old stash"))
    client.force_login(author)
    client.post(url, editor_data(document, section_problem="newer"))
    page = client.get(reverse("prfaq:edit", args=[document.pk])).content.decode()
    assert "old stash" not in page and "newer</textarea>" in page


# -- Partial autosaves: the editor posts only the fields changed since its last save ----


def autosave(client, document: Document, fields: dict, version: int | None = None):
    return client.post(
        reverse("prfaq:autosave", args=[document.pk]),
        {"base_version": document.version if version is None else version} | fields,
        headers={"HX-Request": "true"},
    )


def test_partial_autosave_changes_what_it_posts_and_keeps_the_rest(author_client, document):
    before = document.current_revision.as_content()
    response = autosave(author_client, document, {"section_problem": "Only this changed."})
    assert response.status_code == 200
    assert f'value="{document.version + 1}" hx-swap-oob="true"' in response.content.decode()
    document.refresh_from_db()
    saved = document.current_revision.as_content()
    assert saved.section("problem") == "Only this changed."
    assert saved.section("headline") == before.section("headline")
    assert saved.section("solution") == before.section("solution")
    assert saved.faq == before.faq and len(saved.faq) == 2
    assert document.title == "Tide Alerts"
    assert document.current_revision.changed_sections == ["problem"]
    assert "Only this changed." in document.search_text


def test_partial_autosave_of_the_title_or_the_faq_alone(author_client, document):
    autosave(author_client, document, {"title": "  Tide Alerts for skippers "})
    document.refresh_from_db()
    assert document.title == "Tide Alerts for skippers"
    assert problem_of(document) == "Skippers of small boats misread tides and lose a day's catch."
    faq = {"faq-TOTAL_FORMS": 1, "faq-INITIAL_FORMS": 1, "faq-0-question": "Is it free?",
           "faq-0-answer": "For a year.", "faq-0-side": "external", "faq-0-topic": ""}  # fmt: skip
    autosave(author_client, document, faq)
    document.refresh_from_db()
    content = document.current_revision.as_content()
    assert [entry.question for entry in content.faq] == ["Is it free?"]
    assert document.title == "Tide Alerts for skippers"
    assert content.section("headline") == "Tide Alerts tell skippers when the bar is safe"


def test_partial_autosave_of_nothing_saves_nothing(author_client, document):
    version = document.version
    response = autosave(author_client, document, {})
    assert response.status_code == 200 and 'data-state="saved"' in response.content.decode()
    document.refresh_from_db()
    assert document.version == version


def test_partial_autosave_on_an_older_version_is_refused_even_with_the_current_text(
    client, author, collaborator, document
):
    """The page's other fields hold the older version's text: answering "saved" with the new
    version would let a later full save put them back over the collaborator's."""
    stale = document.version
    client.force_login(collaborator)
    autosave(client, document, {"section_solution": "The collaborator's solution."})
    client.force_login(author)
    response = autosave(client, document, {"section_problem": problem_of(document)}, stale)
    assert response.status_code == 409
    assert "collaborator saved a newer version" in response.content.decode()
    response = autosave(client, document, {"section_problem": "Mine."}, stale)
    assert response.status_code == 409
    assert problem_of(document) == "Skippers of small boats misread tides and lose a day's catch."
    document.refresh_from_db()
    assert document.current_revision.as_content().section("solution") == (
        "The collaborator's solution."
    )


def test_a_full_autosave_on_an_older_version_with_the_current_text_is_a_double_submit(
    author_client, document
):
    stale = editor_data(document, section_problem="Sent twice.")
    first = author_client.post(reverse("prfaq:autosave", args=[document.pk]), stale)
    second = author_client.post(reverse("prfaq:autosave", args=[document.pk]), stale)
    assert first.status_code == second.status_code == 200
    document.refresh_from_db()
    assert f'value="{document.version}" hx-swap-oob="true"' in second.content.decode()


def test_partial_autosave_with_a_bad_field_says_which(author_client, document):
    huge = "word " * (SECTION_MAX_CHARS // 5 + 1)
    response = autosave(author_client, document, {"section_solution": huge})
    assert response.status_code == 400
    assert "Solution is too long" in response.content.decode()
    response = autosave(author_client, document, {"base_version": "", "section_problem": "x"})
    assert response.status_code == 400
    assert "Not saved." in response.content.decode()


def test_signed_out_partial_autosave_comes_back_with_the_saved_rest(client, author, document):
    autosave(client, document, {"section_problem": "Typed while signed out."})
    client.force_login(author)
    page = client.get(reverse("prfaq:edit", args=[document.pk])).content.decode()
    assert "Your text from before you were signed out is back" in page
    assert "Typed while signed out.</textarea>" in page
    assert "One text message each evening with the safe windows.</textarea>" in page
    assert "Does it need a smartphone?</textarea>" in page
    assert 'value="Tide Alerts"' in page


def test_partial_autosave_with_faq_fields_but_no_management_form_is_refused(
    author_client, document
):
    response = autosave(author_client, document, {"faq-0-question": "Lost?"})
    assert response.status_code == 400
    assert "ManagementForm data is missing" in response.content.decode()
    document.refresh_from_db()
    assert len(document.current_revision.as_content().faq) == 2


def test_partial_autosave_that_loses_a_race_after_reading_the_saved_text_is_refused(
    client, author, collaborator, document, monkeypatch
):
    """Someone saves between the autosave's reading of the saved text and its lock: even a
    text equal to theirs is refused, as the page's other fields are older."""
    import prfaq.views

    check_draft = prfaq.views.check_draft

    def someone_saves_first(**draft):
        theirs = Document.objects.get(pk=document.pk)
        theirs.save_content(
            by=collaborator,
            title=draft["title"],
            content=draft["content"],
            base_version=theirs.version,
        )
        return check_draft(**draft)

    monkeypatch.setattr(prfaq.views, "check_draft", someone_saves_first)
    client.force_login(author)
    response = autosave(client, document, {"section_problem": "The same words."})
    assert response.status_code == 409
    assert "collaborator saved a newer version" in response.content.decode()
