"""The app's URLs and one reference page of the benchmark's own: the least a write costs.

``bench/load.py`` serves the app with these URLs (``bench.settings``). The reference page
is a signed-in, CSRF-checked POST that writes one row (an audit entry) in one transaction
and answers a short fragment: what any change costs in this stack before it does anything
of its own, measured beside the empty view and the app's own POSTs. Never deployed.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from prfaq.urls import urlpatterns as app_urlpatterns


@login_required
@require_POST
def least_write(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        AuditEntry.objects.create(
            actor=request.user,
            username=request.user.get_username(),
            action=AuditEntry.Action.NOTIFICATION_READ,
            detail="benchmark: the least a write costs",
        )
    return HttpResponse('<p class="small">Saved.</p>')


urlpatterns = [*app_urlpatterns, path("bench/least-write/", least_write)]
