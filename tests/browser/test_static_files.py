"""Static files as `make run` and a deployment serve them: collected under content-hashed
names with compressed copies (WhiteNoise's compressed manifest storage), cached for good."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from email.message import Message

import pytest

pytestmark = pytest.mark.browser

STYLESHEET = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')


def get(url: str, **headers: str) -> tuple[Message, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.headers, response.read()


def test_pages_link_hashed_static_files_served_compressed_and_immutable(demo_server: str) -> None:
    _, page = get(demo_server + "/login/")
    link = STYLESHEET.search(page.decode())
    assert link, "the stylesheet's URL carries no content hash"

    headers, body = get(demo_server + link.group(1), **{"Accept-Encoding": "br"})
    assert headers["Content-Encoding"] == "br"
    assert "immutable" in headers["Cache-Control"]
    assert body

    headers, _ = get(demo_server + link.group(1), **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"

    # Pages link only hashed names, so only those are kept (WHITENOISE_KEEP_ONLY_HASHED_FILES).
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(demo_server + "/static/css/app.css")
    assert missing.value.code == 404
