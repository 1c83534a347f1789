"""Sign-in throttling: guessing a password gets nowhere, and the real user still gets in."""

from django.urls import reverse

from tests.conftest import PASSWORD


def attempt(client, password: str, address: str):
    return client.post(
        reverse("login"),
        {"username": "author", "password": password},
        REMOTE_ADDR=address,
    )


def test_a_thousand_guesses_get_in_zero_times_and_the_user_still_can(client, author):
    successes = 0
    for guess in range(1000):
        response = attempt(client, f"guess-{guess}", "203.0.113.9")
        successes += response.status_code == 302
    print(f"\n1,000 guesses from one address: {successes} got in")
    assert successes == 0
    locked = attempt(client, PASSWORD, "203.0.113.9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    elsewhere = attempt(client, PASSWORD, "198.51.100.7")
    assert elsewhere.status_code == 302  # the real user, from their own address


def test_a_spoofed_forwarded_for_header_does_not_reset_the_count(client, author):
    for guess in range(5):
        client.post(
            reverse("login"),
            {"username": "author", "password": f"wrong-{guess}"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{guess}",
        )
    assert attempt(client, PASSWORD, "203.0.113.9").status_code == 429
