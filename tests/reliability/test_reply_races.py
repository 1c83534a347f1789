"""Replies racing in one thread on PostgreSQL: every page that replies is brought up to
date with every comment before the newest one its answer names.

A reply's answer carries the comments after the newest one the page showed (``after``)
and a reply box naming the new newest: the page asks for what comes after that next
time. PostgreSQL hands out ids at INSERT and shows the rows at COMMIT, so unless replies
to a thread take turns, a comment with a lower id can commit after an answer that named
a higher one, and that page would never be shown it.
"""

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from reviews.models import Comment, Thread
from tests.conftest import make_document, make_user
from tests.reliability.test_randomised_races import Crew, _postgresql_only  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

RACES = 40
RACERS = 8
SHOWN = re.compile(r'id="comment-(\d+)"')
NEWEST = re.compile(r'name="after" value="(\d+)"')


def test_racing_replies_never_leave_a_page_without_a_comment_before_its_newest():
    author = make_user("author")
    people = [make_user(f"reviewer{i}") for i in range(RACERS)]
    document = make_document(owner=author)
    thread = Thread.start(
        document=document, revision=document.current_revision, section="problem", quote="",
        by=author, body="Is the problem paragraph about skippers or harbour masters?",
    )  # fmt: skip
    clients = []
    for person in people:
        client = Client()
        client.force_login(person)
        clients.append(client)
    url = f"{document.get_absolute_url()}threads/{thread.pk}/reply/"
    crew = Crew()
    missed = []
    try:
        for race in range(RACES):
            after = thread.comments.order_by("-pk").values_list("pk", flat=True)[0]
            answers: dict[int, str] = {}

            def reply(index: int, after=after, race=race, answers=answers) -> None:
                body = urlencode({"body": f"Race {race}, reply {index}.", "after": after})
                response = clients[index].post(
                    url, body, content_type="application/x-www-form-urlencoded",
                    headers={"HX-Request": "true"},
                )  # fmt: skip
                assert response.status_code == 200
                answers[index] = response.content.decode()

            crew.race_calls([lambda i=i: reply(i) for i in range(RACERS)])
            everything = set(thread.comments.values_list("pk", flat=True))
            for answer in answers.values():
                shown = {int(pk) for pk in SHOWN.findall(answer)}
                newest = int(NEWEST.search(answer).group(1))
                left_out = {pk for pk in everything if after < pk <= newest} - shown
                missed.extend(sorted(left_out))
    finally:
        crew.close()
    assert Comment.objects.filter(thread=thread).count() == 1 + RACES * RACERS
    assert missed == [], f"comments a page was never shown: {missed}"


def test_replies_racing_the_author_adding_the_thread_to_the_faq_and_resolving_it_all_answer():
    """A reply locks the thread, then the document (its counter); adding the thread to the
    FAQ and resolving it take them in the same order, so none waits for another forever
    (PostgreSQL would end one of them with a deadlock error, a 500)."""
    author = make_user("author")
    people = [make_user(f"reviewer{i}") for i in range(RACERS - 2)]
    document = make_document(owner=author)
    owner, replier = Client(), []
    owner.force_login(author)
    for person in people:
        client = Client()
        client.force_login(person)
        replier.append(client)
    crew = Crew()
    statuses = []
    try:
        for race in range(RACES // 2):
            thread = Thread.start(
                document=document, revision=document.current_revision, section="problem",
                quote="", by=people[race % len(people)], body=f"Who is the customer, {race}?",
            )  # fmt: skip
            base = f"{document.get_absolute_url()}threads/{thread.pk}/"
            after = thread.comments.values_list("pk", flat=True)[0]

            def post(client: Client, path: str, data: dict, base=base) -> None:
                response = client.post(
                    base + path, urlencode(data), content_type="application/x-www-form-urlencoded",
                    headers={"HX-Request": "true"},
                )  # fmt: skip
                statuses.append(response.status_code)

            reply = {"body": "Skippers.", "after": after}
            calls = [lambda c=c, data=reply: post(c, "reply/", data) for c in replier]
            calls.append(lambda: post(owner, "to-faq/", {}))
            calls.append(lambda: post(owner, "resolve/", {}))
            crew.race_calls(calls)
    finally:
        crew.close()
    assert statuses and max(statuses) < 500, statuses
