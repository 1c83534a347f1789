"""check_integrity: operators learn of any inconsistency after a crash or a restore."""

import pytest
from django.core.management import call_command

from prfaq.models import Document
from reviews.models import ReviewRound
from tests.conftest import full_content, make_document
from tests.reviews.test_review_rounds import edit, submit, verdict


def test_a_healthy_database_passes(capsys, author, leader, document):
    round_ = submit(document, author, [leader])
    verdict(round_, leader)
    edit(document, author)
    call_command("check_integrity")
    assert "Everything is consistent." in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["status", "current_revision", "round_revision"])
def test_damage_is_found_and_exits_1(capsys, damage, author, leader, document):
    other = make_document(owner=author, title="Other", content=full_content())
    round_ = submit(document, author, [leader])
    if damage == "status":
        Document.objects.filter(pk=document.pk).update(status="draft")
        expected = "open round but not in review"
    elif damage == "current_revision":
        Document.objects.filter(pk=document.pk).update(current_revision=other.current_revision)
        expected = f"document {document.pk}: current revision belongs to document {other.pk}"
    else:
        ReviewRound.objects.filter(pk=round_.pk).update(revision=other.current_revision)
        expected = f"round {round_.pk}: its revision belongs to another document"
    with pytest.raises(SystemExit) as exit_:
        call_command("check_integrity")
    assert exit_.value.code == 1
    assert expected in capsys.readouterr().out
