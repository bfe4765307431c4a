"""A Digital Post row goes through the outbox like an e-mail: claimed, sent, retried with its
reason, given up; a retry sends the same message (the same messageUUID, the same bytes), to
the folder or to the municipality's Digital Post access over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from cases.models import Application
from notifications.delivery import deliver_notification
from notifications.digital_post.channel import message_for
from notifications.models import Kind, Notification, Status
from notifications.services import notify
from tests.workflows.support import S, reach

from .conftest import digital_post_rows, messages

pytestmark = pytest.mark.django_db


class Peer:
    """A stand-in for the municipality's Digital Post access: answers every POST with
    ``status`` and keeps what it was sent (the XML and the X-Message-UUID header)."""

    def __init__(self) -> None:
        self.status = 202
        self.received: list[tuple[str, bytes]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                peer.received.append((self.headers["X-Message-UUID"], body))
                self.send_response(peer.status)
                self.end_headers()
                self.wfile.write(b"Modtageren findes ikke" if peer.status >= 400 else b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/memo"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def peer(settings: Any, digital_post: Path) -> Iterator[Peer]:
    peer = Peer()
    peer.thread.start()
    settings.DIGITAL_POST = "http"
    settings.DIGITAL_POST_URL = peer.url
    try:
        yield peer
    finally:
        peer.server.shutdown()
        peer.server.server_close()


@pytest.fixture
def asked(world: SimpleNamespace, draft: Application, digital_post: Path) -> Notification:
    """A legal notice to association A (no letter: no PDF to print), not yet delivered."""
    submitted = reach(draft, world, S.SUBMITTED)
    with transaction.atomic():
        notify(
            kind=Kind.INFO_REQUESTED,
            application=submitted,
            recipients=[world.anna],
            context={"question": "Hvor mange frivillige har I?"},
            legal=True,
        )
    (row,) = digital_post_rows()
    return row


def due_again(row: Notification) -> None:
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_the_folder_gets_one_file_per_message_and_no_temporary_files(
    asked: Notification, digital_post: Path
) -> None:
    assert deliver_notification(asked.pk) == Status.SENT

    assert [p.name for p in digital_post.iterdir()] == [f"{asked.memo_uuid}.xml"]
    asked.refresh_from_db()
    assert (asked.status, asked.attempts, asked.last_error) == (Status.SENT, 1, "")
    assert asked.sent_at is not None


def test_a_message_sent_again_after_a_crash_carries_the_same_uuid_and_bytes(
    asked: Notification, digital_post: Path
) -> None:
    assert deliver_notification(asked.pk) == Status.SENT
    first = (digital_post / f"{asked.memo_uuid}.xml").read_bytes()
    # The worker died after handing the message over and before recording it: the row is
    # still "sending" and its lease has run out, so the sweep sends it again.
    Notification.objects.filter(pk=asked.pk).update(
        status=Status.SENDING, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )

    assert deliver_notification(asked.pk) == Status.SENT  # as the sweep does, row by row

    asked.refresh_from_db()
    assert (asked.status, asked.attempts) == (Status.SENT, 2)
    (again,) = messages(digital_post)  # the same file: the receiver sees one message
    assert again.raw == first
    assert again.text("MessageHeader/messageUUID") == str(asked.memo_uuid)


def test_the_http_sender_posts_the_message_with_its_uuid(asked: Notification, peer: Peer) -> None:
    assert deliver_notification(asked.pk) == Status.SENT

    assert peer.received == [(str(asked.memo_uuid), message_for(asked))]


def test_a_retry_over_http_sends_the_same_message(asked: Notification, peer: Peer) -> None:
    peer.status = 503
    assert deliver_notification(asked.pk) == Status.FAILED
    peer.status = 202
    due_again(asked)
    assert deliver_notification(asked.pk) == Status.SENT

    (first_uuid, first), (second_uuid, second) = peer.received
    assert first_uuid == second_uuid == str(asked.memo_uuid)
    assert first == second


def test_a_refusing_peer_is_retried_and_finally_given_up_with_its_reason(
    asked: Notification, peer: Peer, settings: Any
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    peer.status = 404

    assert deliver_notification(asked.pk) == Status.FAILED
    asked.refresh_from_db()
    assert asked.last_error == (
        "DigitalPostError: Digital Post refused the message (HTTP 404): Modtageren findes ikke"
    )
    assert asked.next_attempt_at > timezone.now()  # backed off, not retried at once
    assert deliver_notification(asked.pk) is None  # not due yet

    due_again(asked)
    assert deliver_notification(asked.pk) == Status.FAILED
    due_again(asked)
    assert deliver_notification(asked.pk) == Status.GIVEN_UP
    asked.refresh_from_db()
    assert (asked.status, asked.attempts) == (Status.GIVEN_UP, 3)
    assert "HTTP 404" in asked.last_error
    assert len(peer.received) == 3


def test_an_unreachable_peer_is_a_failed_attempt_with_the_reason(
    asked: Notification, settings: Any, digital_post: Path
) -> None:
    settings.DIGITAL_POST = "http"
    settings.DIGITAL_POST_URL = "http://127.0.0.1:9/memo"  # discard: nothing listens

    assert deliver_notification(asked.pk) == Status.FAILED
    asked.refresh_from_db()
    assert asked.last_error.startswith("DigitalPostError: Digital Post could not be reached: ")


def test_a_municipality_without_a_cvr_is_told_how_to_fix_it(
    asked: Notification, settings: Any, digital_post: Path
) -> None:
    settings.DIGITAL_POST_SENDER_CVR = ""

    assert deliver_notification(asked.pk) == Status.FAILED
    asked.refresh_from_db()
    assert "Roskilde Kommune has no CVR number to send Digital Post from" in asked.last_error
    assert messages(digital_post) == []

    # With its own CVR entered, the next attempt goes, from that CVR.
    municipality = asked.application.municipality  # type: ignore[union-attr]
    municipality.cvr = "29189854"
    municipality.save()
    due_again(asked)
    assert deliver_notification(asked.pk) == Status.SENT
    (sent,) = messages(digital_post)
    assert sent.text("MessageHeader/Sender/senderID") == "29189854"
