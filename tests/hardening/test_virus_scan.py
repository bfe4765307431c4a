"""The optional virus scan: our INSTREAM client against a small clamd of our own.

The fake daemon speaks clamd's real protocol over a real socket (unix or TCP): it reads
``zINSTREAM\\0``, then length-prefixed chunks up to a zero length, and answers like
clamd — ``stream: Eicar-Test-Signature FOUND`` when the EICAR test string is in what it
received, ``stream: OK`` otherwise. So the test proves the bytes we send and how we read
the answer, not a mock of our own function.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from cases import uploads
from tests.factories import PDF_BYTES

from .test_uploads import upload

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _serve_one(conn: socket.socket, received: list[bytes]) -> None:
    with conn:
        buffer = b""
        while len(buffer) < 10:
            buffer += conn.recv(4096)
        assert buffer.startswith(b"zINSTREAM\0"), buffer[:20]
        buffer = buffer[10:]
        data = b""
        while True:
            while len(buffer) < 4:
                buffer += conn.recv(4096)
            size = int.from_bytes(buffer[:4], "big")
            buffer = buffer[4:]
            if size == 0:
                break
            while len(buffer) < size:
                buffer += conn.recv(65536)
            data, buffer = data + buffer[:size], buffer[size:]
        received.append(data)
        verdict = b"Eicar-Test-Signature FOUND" if EICAR in data else b"OK"
        conn.sendall(b"stream: " + verdict + b"\0")


class FakeClamd:
    def __init__(self, family: int, address: Any) -> None:
        self.server = socket.socket(family, socket.SOCK_STREAM)
        self.server.bind(address)
        self.server.listen()
        self.address = self.server.getsockname()
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            _serve_one(conn, self.received)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd_socket(tmp_path: Path, settings: Any) -> Iterator[FakeClamd]:
    daemon = FakeClamd(socket.AF_UNIX, str(tmp_path / "clamd.sock"))
    settings.PULJEFLOW_CLAMAV_SOCKET = daemon.address
    yield daemon
    daemon.close()


def _check(name: str, content: bytes) -> str:
    with override("en"):
        return uploads.check_upload(SimpleUploadedFile(name, content))


def test_a_clean_file_is_streamed_to_clamd_and_accepted(clamd_socket: FakeClamd) -> None:
    big = PDF_BYTES + b"%" + b"x" * 200_000 + b"\n%%EOF\n"  # several chunks
    assert _check("regnskab.pdf", big) == "application/pdf"
    assert clamd_socket.received == [big]


def test_an_infected_file_is_refused_with_the_signature(clamd_socket: FakeClamd) -> None:
    infected = PDF_BYTES.replace(b"%%EOF", b"%" + EICAR + b"\n%%EOF")
    with pytest.raises(ValidationError) as caught:
        _check("regnskab.pdf", infected)
    message = " ".join(caught.value.messages)
    assert "contains a virus" in message and "Eicar-Test-Signature" in message


def test_the_screen_says_so_next_to_the_field_and_stores_nothing(
    world: Any, draft: Any, as_user: Any, clamd_socket: FakeClamd
) -> None:
    before = set(draft.attachments.values_list("pk", flat=True))
    infected = PDF_BYTES.replace(b"%%EOF", b"%" + EICAR + b"\n%%EOF")
    response = upload(as_user(world.anna), draft, "regnskab.pdf", infected)
    assert response.status_code == 400
    error = response.content.decode().split('id="id_file-error"', 1)[1]
    assert "Eicar-Test-Signature" in error
    assert set(draft.attachments.values_list("pk", flat=True)) == before


def test_over_tcp_too(settings: Any) -> None:
    daemon = FakeClamd(socket.AF_INET, ("127.0.0.1", 0))
    host, port = daemon.address
    settings.PULJEFLOW_CLAMAV_HOST = f"{host}:{port}"
    try:
        assert _check("regnskab.pdf", PDF_BYTES) == "application/pdf"
        assert daemon.received == [PDF_BYTES]
    finally:
        daemon.close()


def test_an_unreachable_scanner_refuses_the_upload_and_logs_it(
    tmp_path: Path, settings: Any, caplog: Any
) -> None:
    settings.PULJEFLOW_CLAMAV_SOCKET = str(tmp_path / "nobody-listens.sock")
    with (
        caplog.at_level(logging.ERROR, logger="cases.clamav"),
        pytest.raises(ValidationError) as caught,
    ):
        _check("regnskab.pdf", PDF_BYTES)
    assert "try again later" in " ".join(caught.value.messages)
    assert "Virus scanner unreachable" in caplog.text


def test_without_a_scanner_configured_nothing_is_sent(settings: Any) -> None:
    assert not settings.PULJEFLOW_CLAMAV_SOCKET and not settings.PULJEFLOW_CLAMAV_HOST
    assert _check("regnskab.pdf", PDF_BYTES) == "application/pdf"
