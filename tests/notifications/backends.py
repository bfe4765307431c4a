"""A test e-mail backend for the real Celery workers of test_worker_kills.py.

Each message becomes one JSON line in ``PULJEFLOW_TEST_MAILBOX`` (Message-ID,
recipients, subject, language, the sending process), so the test process can count
what really left the worker. It can also kill its own process at a point of a
delivery, set by ``PULJEFLOW_TEST_KILL_AT``:

- ``before_send``: the row is claimed, nothing is written yet;
- ``after_send``: the line is written (the message is handed over), the row is not
  yet recorded as sent — the one window that can produce a second copy.

(``before_claim`` is the task_prerun hook in ``worker_hooks.py``.) How, by
``PULJEFLOW_TEST_KILL_HOW``: ``self`` SIGKILLs this pool process at once; ``wait``
writes ``reached`` into ``PULJEFLOW_TEST_CONTROL_DIR`` and sleeps, for the test to
SIGKILL the worker's main process. Either happens once per control directory.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


def kill_point(name: str) -> None:
    """Die (or wait to be killed) here if this is the configured point, the first time."""
    if os.environ.get("PULJEFLOW_TEST_KILL_AT") != name:
        return
    control = Path(os.environ["PULJEFLOW_TEST_CONTROL_DIR"])
    try:  # O_EXCL: of all the processes passing this point, exactly one goes on
        fd = os.open(control / "killed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(fd, f"{os.getpid()}\n".encode())
    os.close(fd)
    if os.environ.get("PULJEFLOW_TEST_KILL_HOW", "self") == "self":
        os.kill(os.getpid(), signal.SIGKILL)
    (control / "reached.tmp").write_text(str(os.getpid()))
    (control / "reached.tmp").rename(control / "reached")
    time.sleep(60)  # the test kills the main process; the pool process dies with it


def _header(message: EmailMessage, name: str) -> Any:
    return (message.extra_headers or {}).get(name)


class JsonlEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        mailbox = Path(os.environ["PULJEFLOW_TEST_MAILBOX"])
        delay = float(os.environ.get("PULJEFLOW_TEST_SEND_DELAY", 0))
        for message in email_messages:
            kill_point("before_send")
            if delay:
                time.sleep(delay)  # a slower send, so that racing workers overlap
            line = {
                "message_id": _header(message, "Message-ID"),
                "to": list(message.to),
                "subject": message.subject,
                "language": _header(message, "Content-Language"),
                "first_line": message.body.splitlines()[0] if message.body else "",
                "pid": os.getpid(),
            }
            # One write of one line to a file opened for appending: lines from several
            # processes never interleave.
            fd = os.open(mailbox, os.O_CREAT | os.O_APPEND | os.O_WRONLY)
            try:
                os.write(fd, (json.dumps(line) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            kill_point("after_send")
        return len(email_messages)


class GoodbyeTimesOutBackend(BaseEmailBackend):
    """Like Django's SMTP backend, ``send_messages`` opens a connection if none is open
    and closes it again afterwards; here the goodbye (QUIT) times out after the server
    took the message. The messages go to ``django.core.mail.outbox``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connected = False

    def open(self) -> bool:
        if self.connected:
            return False
        self.connected = True
        return True

    def close(self) -> None:
        if self.connected:
            self.connected = False
            raise TimeoutError("timed out waiting for the reply to QUIT")

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        opened = self.open()
        try:
            mail.outbox.extend(email_messages)
        finally:
            if opened:
                self.close()
        return len(email_messages)
