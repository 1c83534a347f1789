"""Background work: notifications are decided and sent by a worker, not in the request."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.db.models import Q
from django.tasks import task

from reviews.mentions import mentioned_usernames
from reviews.models import BlindReading, Comment, Notification, Subscription


def _recipients(comment: Comment) -> dict[int, str]:
    """Who hears about ``comment``, and why: a mention beats a reply beats following."""
    thread, document = comment.thread, comment.thread.document
    User = get_user_model()
    muted = set(
        Subscription.objects.filter(document=document, state=Subscription.State.MUTE).values_list(
            "user_id", flat=True
        )
    )
    reasons: dict[int, str] = {}
    followers = set(
        Subscription.objects.filter(document=document, state=Subscription.State.FOLLOW).values_list(
            "user_id", flat=True
        )
    )
    followers |= {document.owner_id, *document.collaborators.values_list("pk", flat=True)}
    for user_id in followers - muted:
        reasons[user_id] = Notification.Kind.COMMENT
    participants = set(thread.comments.values_list("author_id", flat=True)) - muted
    for user_id in participants:
        reasons[user_id] = Notification.Kind.REPLY
    names = mentioned_usernames(comment.body)
    if names:
        wanted = Q()
        for name in names:
            wanted |= Q(username__iexact=name)
        for user in User.objects.filter(wanted, is_active=True):
            reasons[user.pk] = Notification.Kind.MENTION
    reasons.pop(comment.author_id, None)
    # Someone reading blind must not see others' comments in a notification either.
    blind = BlindReading.objects.filter(document=document).values_list("user_id", flat=True)
    for user_id in set(blind) - set(
        Comment.objects.filter(thread__document=document).values_list("author_id", flat=True)
    ):
        reasons.pop(user_id, None)
    return reasons


def _email(users, subject, body: str) -> None:
    """One e-mail to each user who has an address; ``subject`` may depend on the user."""
    messages = [
        mail.EmailMessage(
            # A title may hold line breaks (U+2028 from a paste); a header may not.
            subject=" ".join((subject(u) if callable(subject) else subject).split()),
            body=body,
            to=[u.email],
        )
        for u in users
        if u.email
    ]
    if messages:
        mail.mailers.default.send_messages(messages)


@task()
def notify_about_comment(comment_id: int) -> int:
    """Create in-app notifications for a new comment and e-mail them; returns how many."""
    comment = (
        Comment.objects.select_related("thread__document__owner", "author")
        .filter(pk=comment_id, deleted_at__isnull=True)
        .first()
    )
    if comment is None:
        return 0
    document = comment.thread.document
    reasons = _recipients(comment)
    users = get_user_model().objects.filter(pk__in=reasons, is_active=True)
    readers = [u for u in users if document.can_read(u)]  # never leak a restricted document
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    actor=comment.author,
                    kind=reasons[user.pk],
                    document=document,
                    thread=comment.thread,
                    comment=comment,
                )
                for user in readers
            ],
            ignore_conflicts=True,
        )
    _email(
        readers,
        lambda u: (
            f"{comment.author.display_name} {Notification.Kind(reasons[u.pk]).label} "
            f"on \u201c{document.title}\u201d"
        ),
        f"{comment.author.display_name} wrote:\n\n{comment.body[:2000]}\n\n"
        f"Open the thread: {settings.SITE_URL}{comment.thread.get_absolute_url()}\n\n"
        "Mute this document's discussion from its page to stop these e-mails.",
    )
    return len(created)


@task()
def notify_about_event(event_id: int) -> int:
    """Tell the people in a review round what happened in it (in-app and by e-mail)."""
    from reviews.models import Event

    event = Event.objects.select_related("document", "round", "actor").filter(pk=event_id).first()
    if event is None or event.round is None:
        return 0
    kind = {
        Event.Kind.SUBMITTED: Notification.Kind.REVIEW_REQUESTED,
        Event.Kind.VERDICT: Notification.Kind.VERDICT,
        Event.Kind.CONCERN: Notification.Kind.CONCERN,
        Event.Kind.CONCERN_RESOLVED: Notification.Kind.CONCERN,
        Event.Kind.DECISION: Notification.Kind.DECISION,
        Event.Kind.DISMISSED: Notification.Kind.DISMISSED,
        Event.Kind.WITHDRAWN: Notification.Kind.DECISION,
        Event.Kind.EDITED: Notification.Kind.EDITED,
    }[event.kind]
    document = event.document
    if kind in (Notification.Kind.REVIEW_REQUESTED, Notification.Kind.EDITED):
        ids = set(event.round.assignments.values_list("user_id", flat=True))
    else:
        ids = set(event.round.assignments.values_list("user_id", flat=True))
        ids |= {document.owner_id, *document.collaborators.values_list("pk", flat=True)}
    ids.discard(event.actor_id)
    users = [
        u
        for u in get_user_model().objects.filter(pk__in=ids, is_active=True)
        if document.can_read(u)
    ]
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=u, actor=event.actor or u, kind=kind, document=document, event=event
            )
            for u in users
        ],
        ignore_conflicts=True,
    )
    link = f"{settings.SITE_URL}{event.round.get_absolute_url()}"
    _email(
        users,
        f"\u201c{document.title}\u201d: {' '.join(event.summary.split())[:120]}",
        f"{event.summary}\n\nOpen the review: {link}\n",
    )
    return len(created)


@task()
def remind_about_due_review(round_id: int, user_id: int) -> int:
    """Remind one person, once per round, that their verdict is due within a day."""
    from reviews.models import ReviewRound

    round_ = ReviewRound.objects.select_related("document", "submitted_by").get(pk=round_id)
    user = get_user_model().objects.get(pk=user_id)
    if not round_.document.can_read(user):
        return 0
    _, created = Notification.objects.get_or_create(
        recipient=user,
        kind=Notification.Kind.DUE_SOON,
        document=round_.document,
        created_at__gte=round_.created_at,
        defaults={"actor": round_.submitted_by},
    )
    if created:
        _email(
            [user],
            f"Your verdict on \u201c{round_.document.title}\u201d is due {round_.due_date:%d %b}",
            f"Open the review: {settings.SITE_URL}{round_.get_absolute_url()}\n",
        )
    return int(created)
