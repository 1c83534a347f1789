"""Writing the audit log: who did what, when, and from which address."""

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from audit.models import AuditEntry
from prfaq.compiled import insert
from prfaq.pagecache import changed

Action = AuditEntry.Action

# Acts that change nothing a page shows (the Inbox badge is filled in per request).
UNSEEN = {
    Action.SIGNED_IN,
    Action.SIGN_IN_FAILED,
    Action.SIGNED_OUT,
    Action.PASSWORD_CHANGED,
    Action.REFUSED,
    Action.NOTIFICATION_READ,
    Action.NOTIFICATIONS_READ,
}
# Acts whose change itself moves the document's version, which its cached pages are keyed
# on (``prfaq.pagecache.STAMP_FIELDS``): its activity counter need not move as well.
VERSIONED = {Action.DOCUMENT_SAVED}


def client_address(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only behind TRUSTED_PROXY_COUNT proxies.

    The same answer django-axes uses for throttling, so the log and the lockouts agree.
    """
    return get_client_ip_address(request) or None


def record(
    request: HttpRequest | None,
    action: AuditEntry.Action,
    *,
    document=None,
    target: str = "",
    detail: str = "",
    user=None,
    username: str = "",
) -> AuditEntry:
    """Write one entry; call it inside the transaction of the change it records, after
    the change.

    A change also moves the counters cached pages are keyed on (``prfaq.pagecache``):
    the document's, or for a change in the admin, every page's. They are the
    transaction's last writes (see ``changed``).
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    # With every change: its INSERT compiled once (an entry is only ever added).
    entry = insert(
        AuditEntry(
            actor=actor,
            username=_storable(username or (actor.get_username() if actor else ""), 150),
            action=action,
            document_id=getattr(document, "pk", document),
            target=_storable(target, 100),
            address=client_address(request) if request is not None else None,
            request=_storable(_described(request), 300),
            detail=_storable(detail, 500),
        )
    )
    if action not in UNSEEN:
        changed(
            document_id=None if action in VERSIONED else getattr(document, "pk", document),
            everything=action == Action.ADMIN_CHANGED,
        )
    return entry


def _storable(text: str, limit: int) -> str:
    """``text`` as a text column holds it: at most ``limit`` characters, and no NUL, which
    PostgreSQL refuses (a refusal's message may quote what was asked for: ?revision=%00)."""
    return text.replace("\x00", "\ufffd")[:limit]


def _described(request: HttpRequest | None) -> str:
    # A request built outside the server (force_login in tests, a shell) has no method.
    if request is None or not request.method:
        return ""
    return f"{request.method} {request.path}"
