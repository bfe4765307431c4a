"""The API's JSON parser: nesting depth bounded *before* parsing.

Python's ``json`` recurses once per nested array or object: a body of 10,000 ``[`` was a
``RecursionError``, a 500, on the unauthenticated token endpoint (issue 15). Its depth is
counted first, by linear passes that skip strings, and only then is it parsed.

The body's size is bounded before this runs: DRF reads a JSON body through
``request.body``, which Django refuses beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB)
with ``RequestDataTooBig`` — answered as a 413 by ``api.errors``.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.utils import json as drf_json

from cases import limits

# A JSON string, escapes and all; possessive, so an unclosed quote cannot backtrack.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_INNERMOST = re.compile(r"\[\]|\{\}")
_OPENERS = re.compile(r"[\[{]*+")


def too_deep(text: str, depth: int = limits.JSON_DEPTH) -> bool:
    """Could parsing ``text`` nest arrays and objects more than ``depth`` levels deep?

    Linear passes in C rather than a loop over characters: strings and everything but
    brackets are dropped, then each pass removes the innermost empty pairs — one level
    per pass. What still pairs up after ``depth`` passes lies deeper. Malformed JSON
    stops reducing early: the parser fails at its first unpaired bracket, having opened
    the unpaired openers before it plus at most the levels already removed.
    """
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for passes in range(depth + 1):
        if not skeleton:
            return False
        reduced = _INNERMOST.sub("", skeleton)
        if reduced == skeleton:
            openers = _OPENERS.match(skeleton)
            return len(openers.group() if openers else "") + passes > depth
        skeleton = reduced
    return True


def check_depth(text: str) -> None:
    """Refuse JSON nested deeper than ``limits.JSON_DEPTH`` with a 400 that says so."""
    if too_deep(text):
        raise exceptions.ParseError(
            _("The JSON is nested more than %(depth)d levels deep.") % {"depth": limits.JSON_DEPTH}
        )


def loads(text: str) -> Any:
    """``json.loads`` after the depth check; a malformed text is a ``ParseError``."""
    check_depth(text)
    try:
        return json.loads(text, parse_constant=drf_json.strict_constant)
    except ValueError as error:
        raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, depth-limited (the default in ``REST_FRAMEWORK``)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = codecs.decode(raw, encoding)
        except (LookupError, UnicodeDecodeError):
            raise exceptions.ParseError(
                _("The request body is not valid %(encoding)s.") % {"encoding": encoding}
            ) from None
        return loads(text)
