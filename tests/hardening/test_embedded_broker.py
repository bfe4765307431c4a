"""The embedded broker (no REDIS_URL) under load: the worker never reads half a message.

kombu's filesystem transport made a message visible before it was written; a worker
polling while the web server queued notifications read an empty file and died of a
JSONDecodeError (issue 15's load test, which took ``make run`` down with it).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from kombu import Connection

MESSAGES = 1500


def test_a_worker_polling_while_messages_are_queued_reads_every_one_whole(
    tmp_path: Path,
) -> None:
    if settings.REDIS_URL:
        pytest.skip("the embedded broker is used only without REDIS_URL")
    queue_dir, control_dir = tmp_path / "queue", tmp_path / "control"
    queue_dir.mkdir()
    options: dict[str, Any] = {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "control_folder": str(control_dir),
        "polling_interval": 0,
    }

    def queue_them() -> None:
        with Connection(settings.CELERY_BROKER_URL, transport_options=options) as producer:
            queue = producer.SimpleQueue("celery")
            for n in range(MESSAGES):
                queue.put({"n": n, "body": "x" * 2000})

    producer = threading.Thread(target=queue_them)
    producer.start()
    received, broken = [], []
    with Connection(settings.CELERY_BROKER_URL, transport_options=options) as consumer:
        queue = consumer.SimpleQueue("celery")
        while len(received) + len(broken) < MESSAGES:
            try:
                message = queue.get(timeout=10)
            except queue.Empty:
                if producer.is_alive():  # a slow producer on a loaded machine, not a loss
                    continue
                break
            except ValueError as error:  # JSONDecodeError: a message read half-written
                broken.append(error)
                continue
            received.append(message.payload["n"])
            message.ack()
    producer.join(timeout=60)

    assert broken == []
    assert sorted(received) == list(range(MESSAGES))
    assert list(queue_dir.iterdir()) == []
