"""The Celery app, and two small extensions for the Redis broker.

``SingleBeatScheduler`` makes a second beat wait while the first holds a lock in
Redis; ``Consumer`` reconnects a worker to a broker that went away every couple of
seconds. Why, and the figures that follow, in docs/notifications.md.
"""

import functools
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import Any

from celery import Celery
from celery.beat import PersistentScheduler
from celery.worker.consumer import Consumer as CeleryConsumer

from config import broker  # noqa: F401 (registers the embedded broker's scheme)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("puljeflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The hand-overs' tasks live in a subpackage, which the default discovery does not look in.
app.autodiscover_tasks(["cases.handover"])

logger = logging.getLogger("celery.beat")


def ensure_broker_folders() -> None:
    """The filesystem transport dies on a missing folder: create them up front."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(str(options[key])).mkdir(parents=True, exist_ok=True)


# Take the lock if it is free, extend it if it is ours; 1 if we hold it afterwards.
_TAKE_OR_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class SingleBeatScheduler(PersistentScheduler):
    """Beat that sends only while it holds a lock in Redis; otherwise it stands by.

    Celery has no built-in guard against two beats, and two would send every periodic
    task twice. Nothing depends on the guard for correctness (every periodic job is an
    idempotent sweep of what is due and not yet done); it saves the duplicate work and
    makes a standby beat possible: it takes over within ``lock_seconds`` of the
    holder's death. While Redis is down nobody holds the lock, which changes nothing:
    no beat could send then anyway.
    """

    lock_key = "puljeflow:beat-lock"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        self.lock_seconds = float(getattr(settings, "PULJEFLOW_BEAT_LOCK_SECONDS", 30))
        self._token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self._holding: bool | None = None
        self._redis: Any = None
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        # Wake at least three times per lock period, so the holder extends it in time.
        refresh = self.lock_seconds / 3
        holding = self._hold_lock()
        if holding is None:  # Redis down: try again soon, to resume as soon as it is back
            return min(refresh, 1.0)
        if not holding:
            return refresh
        return float(min(super().tick(*args, **kwargs), refresh))

    def close(self) -> None:
        if self._holding:
            try:
                self._client().eval(_RELEASE, 1, self.lock_key, self._token)
            except Exception as error:  # shutting down: the lock expires by itself
                logger.info("beat: could not release the beat lock (%s)", error)
        super().close()

    def _client(self) -> Any:
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                self.app.conf.broker_url, socket_connect_timeout=1, socket_timeout=2
            )
        return self._redis

    def _hold_lock(self) -> bool | None:
        """True if this beat holds the lock (now extended), False if another one does,
        None if Redis cannot be reached."""
        holding: bool | None
        try:
            result = self._client().eval(
                _TAKE_OR_EXTEND, 1, self.lock_key, self._token, int(self.lock_seconds * 1000)
            )
            holding = bool(result)
        except Exception as error:  # Redis down: no beat could send now either
            if self._holding is not None:
                logger.warning("beat: cannot reach Redis for the beat lock (%s)", error)
            holding = None
        if holding != self._holding and holding is not None:
            logger.info(
                "beat: %s",
                "holding the beat lock, sending"
                if holding
                else "another beat holds the beat lock: standing by",
            )
        self._holding = holding
        return holding


class Consumer(CeleryConsumer):
    """Celery's worker consumer, retrying a lost broker connection at a fixed interval.

    Celery's own schedule (2, 4, 6, … up to 30 s between attempts) can leave a worker
    idle for half a minute after Redis is back; a refused connection every
    ``PULJEFLOW_BROKER_RECONNECT_INTERVAL`` seconds costs nothing.
    """

    def ensure_connected(self, conn: Any) -> Any:
        from django.conf import settings

        interval = float(getattr(settings, "PULJEFLOW_BROKER_RECONNECT_INTERVAL", 2))
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=interval,
            interval_step=0,
            interval_max=interval,
        )
        return super().ensure_connected(conn)
