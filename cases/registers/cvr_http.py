"""The CVR register over HTTP: Erhvervsstyrelsen's Elasticsearch ``_search`` with basic auth.

Standard library only (urllib): one POST, a timeout, and every way it can fail turned into a
``CvrUnavailable`` whose message tells the person at the screen what happened and that they
can type the details in. The cause goes to the log for whoever runs the system.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.registers.cvr import CvrUnavailable
from cases.registers.cvr_search import MalformedAnswer

logger = logging.getLogger(__name__)

#: An answer for one company is a few kilobytes; more than this is not an answer to our query.
MAX_ANSWER_BYTES = 1_000_000


class CvrTimeout(CvrUnavailable):
    message = _("The CVR register did not answer in time. Type the details in, or try again later.")


class CvrUnreachable(CvrUnavailable):
    message = _("The CVR register cannot be reached. Type the details in, or try again later.")


class CvrRefused(CvrUnavailable):
    message = _(
        "The CVR register refused Puljeflow's access (the municipality's access to the "
        "register is not set up right). Type the details in, and tell the system administrator."
    )


class CvrServiceError(CvrUnavailable):
    message = _("The CVR register answered with an error. Type the details in, or try again later.")


def _authorization() -> str | None:
    user, password = settings.PULJEFLOW_CVR_USER, settings.PULJEFLOW_CVR_PASSWORD
    if not user:
        return None
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def search(body: dict[str, Any]) -> Any:
    """POST the query to the register and return the decoded JSON answer."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    authorization = _authorization()
    if authorization:
        headers["Authorization"] = authorization
    # The scheme is checked in config/integrations.py: http(s) only, never file:.
    request = urllib.request.Request(  # noqa: S310
        settings.PULJEFLOW_CVR_URL,
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    url = settings.PULJEFLOW_CVR_URL
    try:
        # The URL is the operator's setting, refused at start-up unless http(s).
        with urllib.request.urlopen(  # noqa: S310  # nosec B310
            request, timeout=settings.PULJEFLOW_CVR_TIMEOUT
        ) as response:
            raw = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        logger.warning("CVR register %s answered HTTP %s", url, error.code)
        if error.code in (401, 403):
            raise CvrRefused from error
        raise CvrServiceError from error
    except TimeoutError as error:
        logger.warning("CVR register %s did not answer in time", url)
        raise CvrTimeout from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            logger.warning("CVR register %s did not answer in time", url)
            raise CvrTimeout from error
        logger.warning("CVR register %s cannot be reached: %s", url, error.reason)
        raise CvrUnreachable from error
    except OSError as error:  # a connection reset half-way through the answer
        logger.warning("CVR register %s broke off: %s", url, error)
        raise CvrUnreachable from error
    if len(raw) > MAX_ANSWER_BYTES:
        logger.warning("CVR register %s sent more than %s bytes", url, MAX_ANSWER_BYTES)
        raise MalformedAnswer
    try:
        return json.loads(raw)
    except ValueError as error:  # not JSON, or not UTF-8
        logger.warning("CVR register %s sent something that is not JSON", url)
        raise MalformedAnswer from error
