"""Mentions and notifications: parsed carefully, sent by the task worker, never leaking."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from reviews.mentions import MAX_MENTIONS, mentioned_usernames
from reviews.models import Notification, Subscription, Thread
from tests.conftest import make_document, make_user


def run_worker() -> None:
    """Do what ``manage.py db_worker`` does with the queued tasks, inside the test's transaction.

    (The real worker manages its own database connections, which a test transaction
    on PostgreSQL does not survive; test_the_worker_command_runs_the_queue runs it on SQLite.)
    """
    for result in DBTaskResult.objects.ready():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()


def comment(client, document, body: str, **data):
    payload = {"section": "problem", "body": body} | data
    return client.post(reverse("reviews:thread_new", args=[document.pk]), payload)


def test_the_worker_command_runs_the_queue(client, teammate, document):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the worker closes connections a PostgreSQL test transaction needs")
    make_user("ann")
    client.force_login(teammate)
    comment(client, document, "@ann")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Notification.objects.filter(recipient__username="ann").exists()


def test_mentions_skip_code_and_email_addresses_and_repeat_once():
    text = (
        "Ask @ann and @bob.smith, not ann@example.com or `@code`.\n\n```\n@fenced\n```\n\n"
        "    @indented\n\nAgain @ann, and @carol."
    )
    assert mentioned_usernames(text) == ["ann", "bob.smith", "carol"]


def test_at_most_fifty_mentions_are_read():
    names = " ".join(f"@user{i}" for i in range(500))
    assert len(mentioned_usernames(names)) == MAX_MENTIONS


def test_posting_queues_notifications_for_the_worker(client, teammate, document):
    make_user("ann", email="ann@example.com")
    client.force_login(teammate)
    comment(client, document, "What do you think, @ann?")
    assert DBTaskResult.objects.count() == 1
    assert not Notification.objects.exists()  # nothing is sent in the request
    run_worker()
    notification = Notification.objects.get(recipient__username="ann")
    assert notification.kind == Notification.Kind.MENTION
    assert [m.to for m in mail.outbox if "mentioned you" in m.subject] == [["ann@example.com"]]
    assert f"#thread-{Thread.objects.get().pk}" in mail.outbox[-1].body


def test_a_title_with_line_breaks_still_gets_its_emails_sent(client, author, teammate):
    document = make_document(owner=author, title="Tide\u2028Alerts\r\nnow")
    make_user("ann", email="ann@example.com")
    client.force_login(teammate)
    comment(client, document, "What do you think, @ann?")
    run_worker()
    assert [m.subject for m in mail.outbox] == [
        "teammate mentioned you on \u201cTide Alerts now\u201d"
    ]


def test_one_notification_per_person_per_comment(client, author, teammate, document):
    client.force_login(teammate)
    comment(client, document, "@author @author @author and @nobody-at-all " + "@ghost " * 500)
    run_worker()
    assert Notification.objects.filter(recipient=author).count() == 1
    assert Notification.objects.get(recipient=author).kind == Notification.Kind.MENTION
    assert Notification.objects.count() == 2  # the author and the collaborator who follows


def test_mentioning_someone_who_cannot_read_a_restricted_document_tells_them_nothing(
    client, collaborator, outsider, restricted
):
    client.force_login(collaborator)
    comment(client, restricted, "@outsider look at this secret")
    run_worker()
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert not [m for m in mail.outbox if outsider.email and outsider.email in m.to]
    client.force_login(outsider)
    inbox = client.get(reverse("reviews:inbox")).content.decode()
    assert "Secret plan" not in inbox


def test_replies_reach_the_threads_participants_and_muting_stops_them(
    client, author, teammate, document
):
    client.force_login(teammate)
    comment(client, document, "A question")
    thread = Thread.objects.get()
    client.force_login(author)
    client.post(reverse("reviews:subscription", args=[document.pk]), {"state": "mute"})
    client.post(reverse("reviews:reply", args=[document.pk, thread.pk]), {"body": "An answer"})
    run_worker()
    assert Notification.objects.get(recipient=teammate).kind == Notification.Kind.REPLY
    client.force_login(teammate)
    client.post(reverse("reviews:reply", args=[document.pk, thread.pk]), {"body": "Thanks"})
    run_worker()
    assert not Notification.objects.filter(recipient=author).exists()  # muted


def test_followers_hear_about_new_threads(client, author, teammate, leader, document):
    client.force_login(leader)
    client.post(reverse("reviews:subscription", args=[document.pk]), {"state": "follow"})
    client.force_login(teammate)
    comment(client, document, "Hello")
    run_worker()
    assert Notification.objects.get(recipient=leader).kind == Notification.Kind.COMMENT


def test_an_unknown_subscription_choice_means_the_default(client, leader, document):
    """A tampered choice (here a NUL, which PostgreSQL refuses to store) is neither stored
    nor logged: it goes back to the default, as the form's third choice does."""
    url = reverse("reviews:subscription", args=[document.pk])
    client.force_login(leader)
    client.post(url, {"state": "follow"})
    response = client.post(url, {"state": "\x00"})
    assert response.status_code == 302
    assert not Subscription.objects.filter(user=leader).exists()
    assert AuditEntry.objects.order_by("-pk").values_list("detail", flat=True)[0] == "default"


def test_inbox_counts_unread_and_links_straight_to_the_thread(client, author, teammate, document):
    client.force_login(teammate)
    comment(client, document, "@author please look")
    run_worker()
    client.force_login(author)
    page = client.get(reverse("prfaq:dashboard")).content.decode()
    assert 'aria-label="1 unread">1</span>' in page
    assert "Mentions of you" in page
    notification = Notification.objects.get(recipient=author)
    response = client.get(reverse("reviews:notification", args=[notification.pk]))
    assert response.url.endswith(f"#thread-{notification.thread_id}")
    notification.refresh_from_db()
    assert notification.read_at is not None
    client.force_login(teammate)
    assert client.get(reverse("reviews:notification", args=[notification.pk])).status_code == 404


def test_a_notification_for_a_document_that_became_restricted_is_404(
    client, author, teammate, document
):
    client.force_login(author)
    comment(client, document, "@teammate have a look")
    run_worker()
    document.set_sharing(restricted=True, collaborators=[])
    client.force_login(teammate)
    notification = Notification.objects.get(recipient=teammate)
    assert client.get(reverse("reviews:notification", args=[notification.pk])).status_code == 404
    assert document.title not in client.get(reverse("prfaq:dashboard")).content.decode()


def test_mark_all_read(client, author, teammate, document):
    client.force_login(teammate)
    comment(client, document, "@author one")
    comment(client, document, "@author two")
    run_worker()
    client.force_login(author)
    client.post(reverse("reviews:inbox_read_all"))
    assert not Notification.objects.filter(recipient=author, read_at__isnull=True).exists()


def test_people_autocomplete_lists_matching_usernames(client, author):
    make_user("annabel", first_name="Annabel")
    make_user("anton")
    client.force_login(author)
    page = client.get(reverse("reviews:people"), {"q": "@ann"}).content.decode()
    assert 'data-username="annabel"' in page and "anton" not in page
    assert (
        "Nobody called @zz" in client.get(reverse("reviews:people"), {"q": "zz"}).content.decode()
    )


@pytest.mark.parametrize("url_name", ["reviews:inbox", "reviews:people"])
def test_anonymous_cannot_see_inbox_or_people(client, url_name):
    assert client.get(reverse(url_name)).status_code == 302


def test_inbox_hides_documents_you_can_no_longer_read(client, author, collaborator, restricted):
    client.force_login(author)
    comment(client, restricted, "@collaborator see this")
    run_worker()
    restricted.set_sharing(restricted=True, collaborators=[])
    client.force_login(collaborator)
    page = client.get(reverse("reviews:inbox")).content.decode()
    assert "Secret plan" not in page
    assert 'aria-label="1 unread"' not in page


def test_blind_readers_get_no_notification_of_others_comments(
    client, author, collaborator, teammate, document
):
    from reviews.models import BlindReading

    BlindReading.objects.create(user=collaborator, document=document)
    client.force_login(teammate)
    comment(client, document, "my private take")
    run_worker()
    assert not Notification.objects.filter(recipient=collaborator).exists()
    assert Notification.objects.filter(recipient=author).exists()


def test_mentions_match_usernames_whatever_the_case(client, teammate, document):
    make_user("ann")
    client.force_login(teammate)
    comment(client, document, "@Ann please")
    run_worker()
    assert Notification.objects.filter(recipient__username="ann", kind="mention").exists()
