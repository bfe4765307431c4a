"""The SMTP relay is set from the environment (docs/deployment.md): a deployment names its
relay, its login and TLS without editing the settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.mail import get_connection
c = get_connection()
print(json.dumps([c.host, c.port, c.username, c.password, c.use_tls, c.use_ssl]))
"""


def _probe(**env: str) -> list[object]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_smtp_relay_comes_from_the_environment() -> None:
    assert _probe(
        EMAIL_HOST="relay.kommune.invalid",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="puljeflow",
        EMAIL_HOST_PASSWORD="hemmeligt",
        EMAIL_USE_TLS="1",
    ) == ["relay.kommune.invalid", 587, "puljeflow", "hemmeligt", True, False]


def test_without_them_django_s_defaults_hold() -> None:
    assert _probe() == ["localhost", 25, "", "", False, False]
