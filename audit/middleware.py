"""What the views do not log themselves: refusals, and changes made in the admin."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from audit.log import Action, record


class AuditRefusalMiddleware:
    """Record one entry per refused request, after the view's transaction has ended, and
    one per change saved in the admin, inside the admin's transaction.

    A view refuses by raising Http404 (the thing is hidden or absent: the same answer
    on purpose) or PermissionDenied, or by answering 403 (CSRF failures). URLs that
    match no route are not refusals and are not logged. An admin form that saved answers
    with a redirect, whichever admin it is (ours or a library's).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _changes_admin(request):
            with transaction.atomic():
                response = self.get_response(request)
                # Not the redirect to the admin's sign-in page that anyone else gets.
                if response.status_code == 302 and request.user.is_staff:
                    record(request, Action.ADMIN_CHANGED)
        else:
            response = self.get_response(request)
        refused = getattr(request, "_audit_refused", None)
        if refused is not None or response.status_code == 403:
            record(
                request,
                Action.REFUSED,
                detail=f"{response.status_code} {refused or 'forbidden'}",
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404 | PermissionDenied):
            request._audit_refused = str(exception) or type(exception).__name__
        return None


def _changes_admin(request: HttpRequest) -> bool:
    # Signing in and out of the admin is logged by the sign-in receivers.
    if request.method != "POST" or not request.path.startswith(reverse("admin:index")):
        return False
    return request.path not in (reverse("admin:login"), reverse("admin:logout"))
