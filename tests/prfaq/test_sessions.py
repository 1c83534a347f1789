"""Who a request is signed in as: the session (``prfaq.sessions``) and the person's row
(``prfaq.backends``), both read with SQL compiled once."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone

from prfaq.backends import UserBackend
from prfaq.models import User
from reviews.backends import UserBackend as ReviewsUserBackend
from tests.conftest import make_user


def test_a_signed_in_session_keeps_its_person_and_what_it_holds(client, author):
    client.force_login(author)
    session = client.session
    session["kept"] = "ünïcødé ✓"
    session.save()
    page = client.get(reverse("prfaq:dashboard"))
    assert page.status_code == 200 and page.context["user"] == author
    assert client.session["kept"] == "ünïcødé ✓"


def test_an_expired_session_signs_the_person_out(client, author):
    client.force_login(author)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("prfaq:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "cookie", ["short", "k" * 40, "k" * 300, "ünïcødé-session-key", "x' OR '1'='1"]
)
def test_an_unknown_session_cookie_is_a_signed_out_visit(client, author, cookie):
    client.cookies["sessionid"] = cookie
    response = client.get(reverse("prfaq:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_deactivated_person_is_signed_out(client, author):
    client.force_login(author)
    User.objects.filter(pk=author.pk).update(is_active=False)
    assert client.get(reverse("prfaq:dashboard")).status_code == 302


def test_the_persons_row_says_whether_they_lead_and_what_is_unread(db, author, leader):
    backend = ReviewsUserBackend()
    found = backend.get_user(leader.pk)
    assert found == leader and found.is_leader is True and found.unread_any == 0
    found = backend.get_user(author.pk)
    assert found == author and found.is_leader is False
    assert backend.get_user(10**9) is None


def test_a_query_with_a_parameter_after_the_id_finds_the_row(db):
    class Reordering(UserBackend):
        def user_queryset(self):  # the ordering's parameter comes after the id
            ordering = Case(When(username="a", then=Value(0)), default=1)
            return super().user_queryset().order_by(ordering)

    someone = make_user("someone")
    assert Reordering().get_user(someone.pk) == someone
    assert Reordering().get_user(someone.pk + 1) is None
