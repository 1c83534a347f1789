"""Signing in and out, changing a password, the admin and the Leadership group."""

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from prfaq.demo_data import DEMO_PASSWORD
from prfaq.models import Document, Revision, User
from tests.conftest import PASSWORD, make_document


def test_leadership_group_exists_from_migrations(db):
    assert Group.objects.filter(name="Leadership").exists()


def test_leadership_group_comes_back_after_a_flush(transactional_db):
    Group.objects.filter(name="Leadership").delete()
    call_command("flush", interactive=False, verbosity=0)
    assert Group.objects.filter(name="Leadership").exists()


def test_sign_in_lands_on_the_dashboard(client, author):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in" in page and 'name="csrfmiddlewaretoken"' in page
    response = client.post(reverse("login"), {"username": "author", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("prfaq:dashboard")


def test_wrong_password_says_so(client, author):
    response = client.post(reverse("login"), {"username": "author", "password": "nope"})
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(client, author):
    client.force_login(author)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("prfaq:dashboard")).status_code == 302


def test_password_change_is_styled_and_enforces_length(client, author):
    client.force_login(author)
    page = client.get(reverse("password_change")).content.decode()
    assert "Change your password" in page and "PR/FAQ studio" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short1!", "new_password2": "short1!"},
    )
    assert "This password is too short" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a long passphrase about tides",
            "new_password2": "a long passphrase about tides",
        },
    )
    assert response.url == reverse("password_change_done")


def test_admin_is_there_for_staff(client, db):
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/prfaq/document/").status_code == 200


def test_the_admin_keeps_each_documents_history_and_current_text(client, document):
    """Revisions are history: the admin deletes none (a gap, or a document with no current
    text) and points no document at another revision."""
    client.force_login(User.objects.create_superuser("admin", password=PASSWORD))
    revision = document.current_revision
    delete = reverse("admin:prfaq_revision_delete", args=[revision.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:prfaq_revision_changelist")).content.decode()
    assert "delete_selected" not in listing
    change = client.get(reverse("admin:prfaq_document_change", args=[document.pk]))
    assert change.status_code == 200
    assert 'name="current_revision"' not in change.content.decode()
    assert Document.objects.get(pk=document.pk).current_revision == revision
    # A document is still deleted whole, its revisions with it.
    draft = make_document(owner=document.owner, title="Spam")
    delete = reverse("admin:prfaq_document_delete", args=[draft.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Document.objects.filter(pk=draft.pk).exists()
    assert not Revision.objects.filter(document_id=draft.pk).exists()


def test_demo_seeds_once(db, capsys):
    call_command("demo", "--no-serve")
    first = capsys.readouterr().out
    assert "Seeded" in first and DEMO_PASSWORD in first
    counts = (User.objects.count(), Document.objects.count())
    call_command("demo", "--no-serve")
    assert "nothing added" in capsys.readouterr().out
    assert (User.objects.count(), Document.objects.count()) == counts == (3, 3)
    assert User.objects.get(username="leader").is_leader
    assert User.objects.get(username="author").check_password(DEMO_PASSWORD)
    complete = Document.objects.get(title="RentRoll for small landlords")
    content = complete.current_revision.as_content()
    assert all(content.section(spec.key) for spec in complete.outline.text_sections)
    assert {e.topic for e in content.faq} >= {"market-size", "finances", "technical-risk"}
    assert complete.revisions.count() == 2
