"""The benchmark's reference page (bench/urls.py): a signed-in POST that writes one row."""

import pytest
from django.test import Client
from django.urls import clear_url_caches

from audit.models import AuditEntry


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    clear_url_caches()
    yield
    clear_url_caches()


def test_the_least_write_writes_one_row_for_someone_signed_in(client, author, bench_urls):
    assert client.post("/bench/least-write/").status_code == 302  # signed out: sign in first
    client.force_login(author)
    assert client.get("/bench/least-write/").status_code == 405
    response = client.post("/bench/least-write/")
    assert response.status_code == 200 and b"Saved." in response.content
    assert AuditEntry.objects.filter(actor=author, detail__startswith="benchmark").count() == 1
    assert client.get("/healthz").status_code == 200  # the app's own URLs are all there


def test_the_least_write_checks_csrf_as_every_form_does(author, bench_urls):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post("/bench/least-write/").status_code == 403
    assert not AuditEntry.objects.filter(detail__startswith="benchmark").exists()
