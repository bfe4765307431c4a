"""The page a person sees when the server fails: sorry, and the error's id to quote.

Django's own ``server_error`` renders 500.html without context; this one adds the
request id (config/logs.py), which the log line of the failure carries too. It must not
fail itself: if the page cannot be rendered (a template, or a context processor's query
on a database that is gone), a plain page in both languages says the same.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils.html import escape

from .logs import current_request_id

logger = logging.getLogger("puljeflow.errors")


def server_error(request: HttpRequest) -> HttpResponse:
    request_id = current_request_id()
    html: str
    try:
        html = render_to_string("500.html", {"request_id": request_id}, request=request)
    except Exception:  # the error page has no error of its own to show
        logger.exception("the 500 page could not be rendered")
        html = (
            '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Fejl</title>'
            "</head><body><h1>Der opstod en fejl</h1>"
            f"<p>Oplys fejl-id <code>{escape(request_id)}</code>, hvis I kontakter kommunen.</p>"
            '<h1 lang="en">Something went wrong</h1>'
            f'<p lang="en">Give the error id <code>{escape(request_id)}</code> if you contact '
            "the municipality.</p></body></html>"
        )
    return HttpResponseServerError(html)
