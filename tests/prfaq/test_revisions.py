"""Revision rules: what a save creates, coalesces, seals and refuses."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from prfaq.content import Content, FaqEntry
from prfaq.models import COALESCE_WINDOW, Document, EditConflict, Revision
from tests.conftest import make_content, make_document


def save(document: Document, by, text: str, *, base=None, checkpoint=False, title=None):
    return document.save_content(
        by=by,
        title=title or document.title,
        content=make_content(headline="Tide Alerts", problem=text),
        base_version=document.version if base is None else base,
        checkpoint=checkpoint,
    )


def test_new_document_has_an_empty_first_revision(author):
    document = make_document(owner=author)
    assert document.revisions.count() == 1
    assert document.current_revision.number == 1
    assert document.current_revision.as_content().section("problem") == ""


def test_rapid_autosaves_by_one_author_coalesce(author):
    document = make_document(owner=author)
    save(document, author, "Skippers lose trips.")
    save(document, author, "Skippers lose trips to misread tides.")
    assert document.revisions.count() == 1
    assert document.current_revision.as_content().section("problem").endswith("misread tides.")
    assert document.version == 2


def test_autosave_after_the_window_starts_a_new_revision(author):
    document = make_document(owner=author)
    save(document, author, "One.")
    Revision.objects.update(created_at=timezone.now() - COALESCE_WINDOW - timedelta(seconds=1))
    save(document, author, "Two.")
    assert list(document.revisions.values_list("number", flat=True)) == [2, 1]


def test_another_author_never_coalesces_into_my_revision(author, collaborator):
    document = make_document(owner=author, collaborators=[collaborator])
    save(document, author, "Mine.")
    save(document, collaborator, "Theirs.")
    assert document.revisions.count() == 2
    assert document.current_revision.author == collaborator
    assert document.revisions.get(number=1).as_content().section("problem") == "Mine."


def test_sealed_revision_is_never_rewritten(author):
    document = make_document(owner=author)
    save(document, author, "Reviewed text.")
    document.current_revision.seal()
    save(document, author, "Edited after review.")
    first = document.revisions.get(number=1)
    assert first.as_content().section("problem") == "Reviewed text."
    assert document.current_revision.number == 2


def test_checkpoint_save_seals_its_revision(author):
    document = make_document(owner=author)
    save(document, author, "Checkpoint.", checkpoint=True)
    save(document, author, "After.")
    assert document.revisions.count() == 2
    assert document.revisions.get(number=1).sealed


def test_unchanged_text_saves_nothing_even_from_a_stale_form(author):
    document = make_document(owner=author)
    save(document, author, "Same.")
    result = save(document, author, "Same.", base=0)
    assert result.changed is False
    assert document.version == 1


def test_stale_save_raises_conflict_and_keeps_newer_text(author, collaborator):
    document = make_document(owner=author, collaborators=[collaborator])
    stale_version = document.version
    save(document, collaborator, "Collaborator's text.")
    mine = Document.objects.get(pk=document.pk)
    mine.version = stale_version
    # In a transaction of its own, as the editor's save is: the test goes on after it.
    with pytest.raises(EditConflict) as conflict, transaction.atomic():
        save(mine, author, "My text.", base=stale_version)
    assert conflict.value.document.version == stale_version + 1
    document.refresh_from_db()
    assert document.current_revision.as_content().section("problem") == "Collaborator's text."


def test_partial_text_is_saved_only_on_its_base_version(author, collaborator):
    """A partial text (an autosave's) found equal to a newer version's is still refused: the
    rest of its page is older, and the save would answer with the newer version."""
    document = make_document(owner=author, collaborators=[collaborator])
    stale_version = document.version
    save(document, collaborator, "Same words.")
    mine = Document.objects.get(pk=document.pk)
    current = mine.current_revision.as_content()
    double = {"by": author, "title": mine.title, "content": current, "base_version": stale_version}
    with transaction.atomic():
        assert not mine.save_content(**double).changed  # a full text: a double submit
    with pytest.raises(EditConflict), transaction.atomic():
        mine.save_content(**double, partial=True)
    on_the_newer = double | {"base_version": stale_version + 1}
    assert mine.save_content(**on_the_newer, partial=True).version == stale_version + 1


def test_changed_sections_are_recorded_per_revision(author):
    document = make_document(owner=author)
    save(document, author, "Problem.", checkpoint=True)
    document.save_content(
        by=author,
        title="New title",
        content=Content(
            sections={"headline": "Tide Alerts", "problem": "Problem."},
            faq=(FaqEntry("Why?", "Because."),),
        ),
        base_version=document.version,
    )
    assert document.current_revision.changed_sections == ["title", "faq"]


def test_save_updates_listing_fields(author):
    document = make_document(owner=author)
    save(document, author, "Skippers lose trips to misread tides.", title="Tide Alerts v2")
    document.refresh_from_db()
    assert document.title == "Tide Alerts v2"
    assert document.word_count == 2 + 6
    assert "misread" in document.search_text
