"""Headers (CSP, framing, nosniff), templates without inline code, the deployment check."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
# Templates a browser renders as pages. E-mails (notifications/templates) and the
# printed PDFs (letters, documents, exports) are never served as HTML.
PAGE_TEMPLATES = [
    p
    for p in [
        *(BASE / "templates").rglob("*.html"),
        *BASE.glob("*/templates/**/*.html"),
        *BASE.glob("web/*/templates/**/*.html"),  # the screens' own, beside them
    ]
    if not any(part in p.parts for part in ("letters", "documents", "exports"))
    and p.relative_to(BASE).parts[0] != "notifications"
    and ".venv" not in p.parts
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style", re.I)


def test_every_page_gets_a_strict_content_security_policy(world: Any) -> None:
    response = Client().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert "unsafe" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_page_templates_have_no_inline_scripts_handlers_or_styles() -> None:
    assert PAGE_TEMPLATES, "found no templates to check"
    offenders = []
    for path in PAGE_TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(BASE)}:{line}: {match.group(0).strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_check_would_catch_an_inline_handler() -> None:
    assert INLINE_HANDLER.search('<button onclick="go()">')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert INLINE_STYLE.search('<p style="color:red">')


def test_htmx_is_told_not_to_inject_styles(world: Any) -> None:
    html = Client().get(reverse("accounts:login")).content.decode()
    assert '"includeIndicatorStyles": false' in html


def test_the_admin_renders_under_the_policy(world: Any) -> None:
    client = Client()
    assert client.get("/admin/login/").status_code == 200
    client.force_login(world.admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html.replace('type="application/json"', 'src=""'))


def test_the_production_settings_pass_the_deployment_check() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_production_settings_refuse_a_missing_secret_key() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_production"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
