"""Start and stop the local OpenID Connect provider (tests/idp/oidc_provider.mjs), and walk
its login the way a browser would."""

from __future__ import annotations

import contextlib
import json
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from lxml import html

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "idp" / "oidc_provider.mjs"
CLIENT_ID = "puljeflow"
CLIENT_SECRET = "puljeflow-test-secret"
# Every provider started here signs with a key of this id, so that one provider's tokens
# meet a key of the same id, but another, at a second provider's JWKS.
KID = "puljeflow-test"


@contextlib.contextmanager
def running_provider(
    *, redirect_uris: list[str], accounts: list[dict[str, Any]], port: int = 0, extra: tuple = ()
) -> Iterator[str]:
    """The provider on 127.0.0.1 (a free port unless one is given); yields its issuer."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed for the OpenID Connect tests (make install)")
    args = [node, str(SCRIPT), "--port", str(port), "--kid", KID]
    args += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    args += ["--accounts", json.dumps(accounts)]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
        args += ["--post-logout-redirect-uri", uri.replace("/oidc/callback/", "/login/")]
    process = subprocess.Popen(
        [*args, *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""  # type: ignore[union-attr]
        if not line:
            process.kill()
            raise RuntimeError(
                f"the OpenID Connect provider did not start: {process.stderr.read()}"
            )  # type: ignore[union-attr]
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_in_at_provider(
    authorize_url: str, username: str, *, mfa: bool = False, acr: str = ""
) -> str:
    """Follow the authorization request through the provider's login form, as a browser
    with its own cookies; return where the provider sends the browser back (the callback
    URL with code and state)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            location = urljoin(url, response.headers["Location"])
            if not location.startswith(authorize_url.split("/auth", 1)[0]):
                return location  # back to the relying party
            url = location
            continue
        form = html.fromstring(response.text).forms[0]
        data = {"username": username, "acr": acr, **({"mfa": "yes"} if mfa else {})}
        response = browser.post(
            urljoin(url, form.action), data=data, allow_redirects=False, timeout=10
        )
        assert response.status_code in (302, 303), response.text
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider's login did not end")
