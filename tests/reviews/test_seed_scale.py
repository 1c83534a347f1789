"""seed_scale: realistic data at scale, added once, never into a real installation."""

import pytest
from django.core.management import CommandError, call_command

from prfaq.models import Document
from reviews.models import Comment, ReviewRound, Thread
from tests.conftest import make_user


def test_seeds_documents_revisions_discussions_and_reviews_once(db):
    call_command("seed_scale", "--documents", "30", "--comments-per-document", "6", "--big")
    counts = (Document.objects.count(), Comment.objects.count(), ReviewRound.objects.count())
    big = Document.objects.get(title__contains="3,000-word")
    assert big.word_count >= 3000
    assert Thread.objects.filter(document=big).count() == 300
    assert Comment.objects.filter(thread__document=big).count() == 1000
    assert Document.objects.exclude(pk=big.pk).count() == 30
    assert all(d.revisions.count() == 4 for d in Document.objects.exclude(pk=big.pk)[:5])
    call_command("seed_scale", "--documents", "30", "--comments-per-document", "6", "--big")
    assert (
        Document.objects.count(),
        Comment.objects.count(),
        ReviewRound.objects.count(),
    ) == counts


def test_refuses_a_database_with_real_data(db):
    make_user("a-real-person")
    with pytest.raises(CommandError, match="did not make"):
        call_command("seed_scale", "--documents", "1")
    call_command("seed_scale", "--documents", "1", "--i-know")
    assert Document.objects.count() == 1
