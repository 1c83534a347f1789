"""Download a revision as Markdown; import a file or pasted prose, checked before saving."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prfaq.models import Document
from reviews.models import GateReport

PROSE = (
    "Pantry Pal cuts food bank queues\n\nVolunteers see who is coming.\n\n"
    "HULL, UK \u2014 1 May 2027 \u2014 Harbour Aid today launched Pantry Pal.\n\n"
    "Every Saturday, families wait two hours outside the food bank in the rain, and "
    "volunteers run out of fresh food by noon because nobody knows how many will come.\n\n"
    "Pantry Pal lets families book a thirty-minute slot by text.\n\n"
    "Food banks can sign up today at pantrypal.example.\n\n"
    "FAQ\n\nQ: Do I need a smartphone?\nA: No. Any phone that texts works.\n"
)


def test_export_downloads_canonical_markdown(client, teammate, document):
    client.force_login(teammate)
    response = client.get(reverse("prfaq:export", args=[document.pk]))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="tide-alerts-r1.md"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("---\ntitle: Tide Alerts\ntemplate: prfaq\n---\n\n# Headline\n")
    assert "### Q: What does it cost? (finances)" in text


def test_export_of_a_restricted_document_is_404_to_outsiders(client, outsider, restricted):
    client.force_login(outsider)
    assert client.get(reverse("prfaq:export", args=[restricted.pk])).status_code == 404


def test_export_then_import_gives_the_same_document(client, author, document):
    client.force_login(author)
    exported = client.get(reverse("prfaq:export", args=[document.pk])).content
    upload = SimpleUploadedFile("tide.md", exported, content_type="text/markdown")
    review = client.post(reverse("prfaq:import"), {"file": upload})
    assert "Read as PR/FAQ Markdown" in review.content.decode()
    assert Document.objects.count() == 1  # nothing saved yet
    form = review.context["confirm"]
    created = client.post(
        reverse("prfaq:import"),
        {"raw": form.initial["raw"], "title": "Tide Alerts copy", "token": form.initial["token"]},
    )
    copy = Document.objects.get(title="Tide Alerts copy")
    assert created.url == reverse("prfaq:edit", args=[copy.pk])
    assert copy.current_revision.as_content() == document.current_revision.as_content()
    assert GateReport.objects.filter(revision=copy.current_revision).exists()


def test_pasted_prose_shows_assignments_and_the_user_corrects_them(client, author):
    client.force_login(author)
    review = client.post(reverse("prfaq:import"), {"text": PROSE})
    page = review.content.decode()
    assert "Read as pasted prose" in page
    assert 'name="paragraph_3"' in page
    data = {"raw": review.context["confirm"].initial["raw"], "title": "Pantry Pal"}
    data |= {
        f"paragraph_{i}": key for i, (_, key) in enumerate(review.context["imported"].paragraphs)
    }
    assert data["paragraph_3"] == "problem" and data["paragraph_4"] == "solution"
    data["paragraph_4"] = "how_it_works"  # the user disagrees
    client.post(reverse("prfaq:import"), data)
    content = Document.objects.get(title="Pantry Pal").current_revision.as_content()
    assert content.section("problem").startswith("Every Saturday")
    assert content.section("how_it_works").startswith("Pantry Pal lets families")
    assert content.section("solution") == ""
    assert content.faq[0].question == "Do I need a smartphone?"


def test_double_submitted_import_creates_one_document(client, author):
    client.force_login(author)
    review = client.post(reverse("prfaq:import"), {"text": PROSE})
    data = {
        "raw": review.context["confirm"].initial["raw"],
        "title": "Once",
        "token": review.context["confirm"].initial["token"],
    }
    data |= {f"paragraph_{i}": k for i, (_, k) in enumerate(review.context["imported"].paragraphs)}
    client.post(reverse("prfaq:import"), data)
    client.post(reverse("prfaq:import"), data)
    assert Document.objects.filter(title="Once").count() == 1
    assert Document.objects.get(title="Once").revisions.count() == 1


def test_bad_files_get_a_message_on_the_page(client, author):
    client.force_login(author)
    cases = [
        (b"", "The submitted file is empty."),
        (b"\x00\x01\x02binary", "The file is binary"),
        ("na\u00efve".encode("latin-1"), "not UTF-8"),
        (b"a" * (10 * 1024 * 1024), "at most 2 MB"),
        (b"---\ntitle: X\ntemplate: haiku\n---\n# Headline\n\nx\n", "template \u201chaiku\u201d"),
    ]
    for data, message in cases:
        upload = SimpleUploadedFile("doc.md", data)
        response = client.post(reverse("prfaq:import"), {"file": upload})
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert client.post(reverse("prfaq:import"), {}).status_code == 200
    assert "Choose a file or paste" in client.post(reverse("prfaq:import"), {}).content.decode()
    assert Document.objects.count() == 0


def test_tampered_raw_text_is_read_again_not_trusted(client, author):
    client.force_login(author)
    response = client.post(reverse("prfaq:import"), {"raw": "", "title": "X"}, follow=True)
    assert "The file is empty." in response.content.decode()
    assert Document.objects.count() == 0


def test_anonymous_cannot_import(client):
    response = client.post(reverse("prfaq:import"), {"text": PROSE})
    assert response.status_code == 302


def test_imports_over_the_editors_limits_are_refused_before_saving(client, author):
    client.force_login(author)
    huge = (
        "---\ntitle: Huge\ntemplate: prfaq\n---\n\n# Headline\n\nH\n\n## Problem\n\n"
        + "a " * 30_000
    )
    response = client.post(reverse("prfaq:import"), {"text": huge})
    assert "Problem is 59,999 characters (at most 50,000)" in response.content.decode()
    tampered = client.post(reverse("prfaq:import"), {"raw": "x" * (3 * 1024 * 1024), "title": "T"})
    assert tampered.status_code == 302
    assert Document.objects.count() == 0


def test_crlf_answers_are_stored_as_they_export(client, author, document):
    from tests.prfaq.test_editor import editor_data

    client.force_login(author)
    data = editor_data(document, **{"faq-0-answer": "Yes.\r\n\r\n- on phones"})
    client.post(reverse("prfaq:edit", args=[document.pk]), data)
    document.refresh_from_db()
    assert document.current_revision.as_content().faq[0].answer == "Yes.\n\n- on phones"
