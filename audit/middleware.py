"""Refusals go in the audit log: every 403, and every 404 a view raised on purpose."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from audit.log import Action, record


class AuditRefusalMiddleware:
    """Record one entry per refused request, after the view's transaction has ended.

    A view refuses by raising Http404 (the thing is hidden or absent: the same answer
    on purpose) or PermissionDenied, or by answering 403 (CSRF failures). URLs that
    match no route are not refusals and are not logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
