"""Sign-ins, sign-in failures and sign-outs, from Django's own authentication signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.log import Action, record


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    record(request, Action.SIGNED_IN, user=user)


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(request, Action.SIGNED_OUT, user=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    locked = request is not None and getattr(request, "axes_locked_out", False)
    record(
        request,
        Action.SIGN_IN_FAILED,
        username=str(credentials.get("username", "")),
        detail="locked out after too many failures" if locked else "wrong username or password",
    )
