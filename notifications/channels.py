"""The ways a notification leaves Puljeflow, behind one interface.

A channel sends one stored row and raises on failure; delivery does the
claiming, retrying and bookkeeping, so a new channel (Digital Post, SMS) is one
class here plus a ``Channel`` choice, with no change to the flows.

The in-app list needs no channel: every row is shown to its recipient in
Puljeflow. A row with ``Channel.IN_APP`` (a user without an e-mail address) is
therefore written already sent and never queued.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import translation

from cases.documents import receipts
from notifications.digital_post.channel import DigitalPostChannel
from notifications.models import Channel, Kind, Notification

logger = logging.getLogger("puljeflow.notifications")


class Sender(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver the row or raise; must not write to the database."""


class EmailChannel:
    def send(self, notification: Notification) -> None:
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient_email],
            headers={
                # The same id on every copy lets mail clients recognise a duplicate.
                "Message-ID": notification.message_id,
                # RFC 3834: keep out-of-office replies from answering an automatic message.
                "Auto-Submitted": "auto-generated",
                "Content-Language": notification.language,
            },
        )
        message.attach_alternative(notification.body_html, "text/html")
        if notification.kind == Kind.APPLICATION_SUBMITTED and notification.application_id:
            # The receipt goes with the confirmation, as the PDF the case page offers.
            with translation.override(notification.language):
                name, pdf = receipts.receipt_attachment(notification.application_id)
            message.attach(name, pdf, "application/pdf")
        # Opened here so that it is not closed inside send_messages: once the server
        # has accepted the message, an error in the goodbye (QUIT) must not count as
        # a failed attempt, which would send a second copy.
        connection = get_connection(fail_silently=False)
        connection.open()
        try:
            connection.send_messages([message])
        finally:
            try:
                connection.close()
            except Exception as error:  # a failed goodbye changes nothing about the message
                logger.warning("closing the mail connection failed: %s", error)


CHANNELS: dict[str, Sender] = {
    Channel.EMAIL: EmailChannel(),
    Channel.DIGITAL_POST: DigitalPostChannel(),  # issue 18: notifications/digital_post/
}


def channel_for(notification: Notification) -> Sender:
    return CHANNELS[notification.channel]
