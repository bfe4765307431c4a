"""The embedded broker (no REDIS_URL): kombu's filesystem transport, each message whole.

kombu writes a message under its final name (``…<queue>.msg``) while the worker picks
up any such file without waiting for the writer's lock; under load (benchmarks/load.py,
issue 15) the worker read a file still empty, died of a JSONDecodeError, and
scripts/run-all took the web server down with it. Here a message is written under a
name the worker skips (``.part`` after ``.msg``) and renamed into place: a rename within
one file system is atomic, so the worker sees a message whole or not at all.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

SCHEME = "puljeflow-filesystem"


class Channel(filesystem.Channel):
    # The same signature as kombu's filesystem channel (its base class names it otherwise).
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
