"""Writing notifications: ``notify`` (called by transitions), ``build_notification``
(the one builder of an outbox row, also used by the reminders) and marking them read."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from notifications.digital_post.routing import digital_post_row, goes_by_digital_post
from notifications.models import (
    Channel,
    Kind,
    Notification,
    Status,
    UserPreference,
    new_message_id,
)

if TYPE_CHECKING:
    from cases.models import Application, Document

DEFAULT_LANGUAGE = "da"

logger = logging.getLogger("puljeflow.notifications")


Renderer = Callable[[str, str, dict[str, Any]], tuple[str, str, str]]


def subject_line(rendered: str) -> str:
    """A header must be one line, whatever the template's line breaks."""
    return _SPACE.sub(" ", rendered).strip()[:255]


def text_body(rendered: str) -> str:
    return _BLANK_LINES.sub("\n\n", rendered).strip() + "\n"


_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject (one line), text and HTML of ``kind`` in ``language``. (A sweep renders
    its many messages with ``reminders.rendering.BatchRenderer``, to the same text.)"""
    with override(language):
        subject = subject_line(render_to_string(f"notifications/{kind}.subject.txt", context))
        context = {**context, "subject": subject}
        text: str = render_to_string(f"notifications/{kind}.txt", context)
        html = render_to_string(f"notifications/{kind}.html", context)
    return subject, text_body(text), html


def _display_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _unique(users: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def preferences_of(users: Iterable[Any]) -> dict[int, UserPreference | None]:
    """Each user's preference (None: the defaults), in at most one query: a user from
    ``notifications.selectors`` comes with it joined in; the rest are read together."""
    preferences: dict[int, UserPreference | None] = {}
    unread: set[int] = set()
    for user in users:
        if "notification_preference" in user._state.fields_cache:
            preferences[user.pk] = user._state.fields_cache["notification_preference"]
        else:
            unread.add(user.pk)
    if unread:
        preferences.update((p.user_id, p) for p in UserPreference.objects.filter(user__in=unread))
    return preferences


def build_notification(
    *,
    kind: str,
    user: Any | None,
    email: str,
    preference: UserPreference | None,
    application: Application | None,
    context: dict[str, Any],
    legal: bool,
    now: datetime,
    notice: bool = False,
    renderer: Renderer = render,
) -> Notification | None:
    """The unsaved outbox row of ``kind`` for one recipient, or None if they have
    switched ``kind`` off and it is not ``legal`` (a notice the law requires).

    The one place a notification is addressed and rendered, for ``notify`` and the
    reminders alike: in the recipient's language (Danish without a preference, as for
    an address without an account), by e-mail when there is an address, else in the
    app only. The templates get ``context`` plus ``application``, ``recipient`` (the
    user, or None) and ``recipient_name``.

    ``notice``: the letter itself went to the association's Digital Post
    (``digital_post.routing``), so this row only says that a letter about the case has
    arrived there, none of what it says (``digital_post_notice`` templates).

    ``renderer``: ``render``, or a sweep's ``BatchRenderer.render`` (the same text).
    """
    values = notification_values(
        kind=kind,
        user=user,
        email=email,
        preference=preference,
        application=application,
        context=context,
        legal=legal,
        now=now,
        notice=notice,
        renderer=renderer,
    )
    if values is None:
        return None
    # The objects themselves, so that the row holds them as the caller does (no re-read).
    del values["recipient_id"], values["application_id"]
    return Notification(**values, recipient=user, application=application)


def notification_values(
    *,
    kind: str,
    user: Any | None,
    email: str,
    preference: UserPreference | None,
    application: Application | None,
    context: dict[str, Any],
    legal: bool,
    now: datetime,
    notice: bool = False,
    renderer: Renderer = render,
) -> dict[str, Any] | None:
    """``build_notification``'s row as the value of every column (the model's defaults
    filled in), for a sweep that inserts thousands without model instances
    (``notifications.rows``)."""
    if preference is not None and not legal and kind in preference.muted_kinds:
        return None
    language = preference.language if preference is not None else DEFAULT_LANGUAGE
    full_context = {
        **context,
        "application": application,
        "recipient": user,
        "recipient_name": _display_name(user),
    }
    subject, text, html = renderer(
        "digital_post_notice" if notice else kind, language, full_context
    )
    channel = Channel.EMAIL if email else Channel.IN_APP
    return {
        "recipient_id": user.pk if user is not None else None,
        "recipient_email": email,
        "kind": kind,
        "application_id": application.pk if application is not None else None,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "language": language,
        "is_legal_notice": legal,
        "channel": channel,
        # Nothing to send for an in-app-only row: it is delivered by existing.
        "status": Status.PENDING if channel == Channel.EMAIL else Status.SENT,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_at": None,
        "sent_at": None if channel == Channel.EMAIL else now,
        "last_error": "",
        "message_id": new_message_id(),
        "recipient_cvr": "",
        "document_id": None,
        "memo_uuid": None,
        "created_at": now,
        "read_at": None,
    }


def notify(
    *,
    kind: str,
    application: Application | None,
    recipients: Sequence[Any],
    context: dict[str, Any],
    legal: bool,
    addresses: Sequence[str] = (),
    letter: Document | None = None,
) -> list[Notification]:
    """Write one notification per recipient and queue its delivery for after commit.

    Call it inside the transaction of the change it reports (a transition): the rows
    commit with that change, or vanish with it, and nothing is queued before the
    commit. Each user gets the message in their own language; a user who has
    switched ``kind`` off gets nothing unless ``legal`` (a notice the law requires).
    ``addresses`` are e-mail addresses without a user account (the association's
    own address on a paper application); they get the message in Danish. The rows
    are built by ``build_notification``.

    A legal notice or a ``letter`` (the Document the change produced) on an application
    goes to the association's Digital Post as well, and the others are then only told that
    it has arrived there (``digital_post.routing``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "notify() must run inside the transaction of the change it reports, "
            "so that the notification commits or rolls back with it."
        )
    Kind(kind)  # an unknown kind is a programming error: fail before writing anything
    users = _unique(recipients)
    preferences = preferences_of(users)
    now = timezone.now()
    targets: list[tuple[Any, str, UserPreference | None]] = [
        (user, user.email, preferences.get(user.pk)) for user in users
    ]
    targets += [(None, address, None) for address in dict.fromkeys(addresses)]
    by_post = goes_by_digital_post(application, legal=legal, letter=letter)
    rows: list[Notification] = []
    if by_post:
        assert application is not None
        rows.append(
            digital_post_row(
                kind=kind,
                application=application,
                letter=letter,
                context=context,
                legal=legal,
                now=now,
            )
        )
    for user, email, preference in targets:
        row = build_notification(
            kind=kind,
            user=user,
            email=email,
            preference=preference,
            application=application,
            context=context,
            legal=legal,
            now=now,
            notice=by_post,
        )
        if row is not None:
            rows.append(row)
    # One INSERT for all of them where the backend hands back the ids (PostgreSQL, SQLite
    # 3.35+); else one save() each. The outbox keeps no history rows: nothing is skipped.
    if len(rows) > 1 and transaction.get_connection().features.can_return_rows_from_bulk_insert:
        Notification.objects.bulk_create(rows)
    else:
        for row in rows:
            row.save(force_insert=True)
    for row in rows:
        if row.status == Status.PENDING:  # e-mail and Digital Post; in-app rows are sent
            enqueue_on_commit(row.pk)
    return rows


def enqueue_on_commit(notification_id: int) -> None:
    """Queue the row's delivery once the current transaction commits (never if it rolls back)."""

    # A named function, not a partial: Django's robust on_commit logs __qualname__.
    def enqueue_delivery() -> None:
        publish_delivery(notification_id)

    # robust as a second guard: nothing raised after the commit may turn a committed
    # change into an error page.
    transaction.on_commit(enqueue_delivery, robust=True)


# After a failed publish, this process does not try again before this (monotonic) time.
_broker_down_until = 0.0
PUBLISH_PAUSE_SECONDS = 5.0


def publish_delivery(notification_id: int) -> bool:
    """Queue the delivery of a committed row now; False if it is left to the sweep.

    A broker that is down must neither fail nor slow down the request whose change
    was just committed: a failed publish (bounded by CELERY_TASK_PUBLISH_RETRY_POLICY
    and the Redis socket timeouts in settings) is logged, and for the next few
    seconds this process does not try again, so a transition that notifies five
    people waits out one failure, not five. The row stays due; the sweep delivers it.
    """
    global _broker_down_until
    from notifications.tasks import deliver

    if time.monotonic() < _broker_down_until:
        logger.warning("notification %s not queued: the broker was just down", notification_id)
        return False
    try:
        deliver.delay(notification_id)
    except Exception as error:  # whatever the broker raises, the row is safe in the outbox
        _broker_down_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
        logger.warning(
            "notification %s not queued (%s: %s); the sweep will deliver it",
            notification_id,
            type(error).__name__,
            error,
        )
        return False
    return True


def notification_mark_read(*, user: Any, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications (all unread, or those ids) read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
