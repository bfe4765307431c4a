"""Rendering a sweep's messages: each template once per kind, language and *shape*,
the per-message strings put in afterwards.

A sweep writes thousands of messages of a few kinds; rendering each one through the
template engine (three templates, a dozen ``blocktranslate`` each) cost ~1 ms a
message and was most of the sweep. ``BatchRenderer.render`` gives exactly what
``services.render`` gives, by rendering a *skeleton* and filling it in:

- The skeleton is rendered once, from the first message of its shape, with every
  non-empty plain string the templates read from the context (a title, a case
  number, a name, the subject) replaced by a *hole*: a marker string that records
  how it is used. Every other value the templates read (a date, a number, a flag,
  an empty string, the length of a list, a missing attribute) is recorded, by its
  path from the context (``application.round.report_deadline``), with its value.
- A later message of the same kind and language has the *same shape* when it has
  the same values at all those paths and non-empty strings where the holes are.
  The templates then take the same branches and format the same values, so its
  output is the skeleton with its own strings in the holes: as typed where the
  skeleton has the marker as typed, HTML-escaped where the skeleton has it escaped
  (the marker holds ``&<>'"``, so escaping shows).
- A hole must only be printed. A hole that is compared, measured, iterated or
  sliced, or that does not come out of the render intact (a filter changed it: the
  marker holds letters of both cases, quotes and a line break for that reason), is
  *pinned*: its value becomes part of the shape, and the skeleton is rendered again.
  Anything the recorder cannot follow (a queryset, a method that needs arguments)
  makes the message render the ordinary way, one by one.

The per-message work is then reading a few attributes and joining strings. What
this cannot see is a filter that leaves the marker intact but would change a real
value (a truncation longer than the marker); no notification template has one, and
``tests/notifications/test_batch_rendering.py`` compares every kind, both languages,
with ``services.render``.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import Any

from django.template.loader import get_template
from django.utils.translation import get_language, override

from notifications.services import render as render_one
from notifications.services import subject_line, text_body

from .recording import (
    _FORMS,
    _HOLE,
    _STRAY,
    SUBJECT,
    Calls,
    NotBatchable,
    Path,
    _is_hole_value,
    _read,
    _Recorder,
    _shape_of,
    _Top,
)

logger = logging.getLogger("puljeflow.notifications")

PREFIX = 16  # reads compared first when looking for a message's skeleton


class _Skeleton:
    """One rendered shape: each output as literal parts and holes (number, escaped?)."""

    def __init__(self, recorder: _Recorder, outputs: tuple[str, str, str]) -> None:
        self.hole_paths = [path for path, _ in recorder.holes]
        self.parts: list[list[str | tuple[int, Any]]] = []
        # A hole some filter changed past recognition: its value becomes part of the shape.
        self.mangled: set[Path] = set()
        for output in outputs:
            parts: list[str | tuple[int, Any]] = []
            at = 0
            for match in _HOLE.finditer(output):
                parts.append(output[at : match.start()])
                parts.append((int(match.group(1)), _FORMS[match.group(2)]))
                at = match.end()
            parts.append(output[at:])
            for part in parts:
                if isinstance(part, str) and ("\x00" in part or "\x02" in part):
                    stray = [int(n) for n in _STRAY.findall(part)]
                    if not stray:
                        raise NotBatchable("a hole cut up by a filter")
                    self.mangled.update(self.hole_paths[n] for n in stray)
            self.parts.append(parts)

    def fill(
        self, context: dict[str, Any], memo: dict[Path, Any], calls: Calls
    ) -> tuple[str, str, str]:
        """The three outputs with ``context``'s strings in the holes, before the
        subject's and the text's clean-up (``services.subject_line``, ``text_body``)."""
        values = [
            "" if path == SUBJECT else _read(context, path, memo, calls) for path in self.hole_paths
        ]
        subject = subject_line(self._join(self.parts[0], values))
        values = [
            subject if path == SUBJECT else v
            for path, v in zip(self.hole_paths, values, strict=True)
        ]
        return subject, self._join(self.parts[1], values), self._join(self.parts[2], values)

    @staticmethod
    def _join(parts: list[str | tuple[int, Any]], values: list[str]) -> str:
        # A list, not a generator: join makes one of it anyway (this runs per message).
        return "".join(
            [part if isinstance(part, str) else part[1](values[part[0]]) for part in parts]
        )


def _shape_at(value: Any, pinned: bool) -> Any:
    if pinned and _is_hole_value(value):
        return ("pinned", value)
    return _shape_of(value)


class BatchRenderer:
    """``services.render`` for many messages: skeletons shared by messages of one shape.

    One renderer serves one sweep of a rule (its skeletons live as long as it does).
    ``skeletons`` and ``direct`` count what it did, for the benchmark and the tests."""

    MAX_PASSES = 5

    def __init__(self) -> None:
        # (kind, language) -> (paths read, paths pinned) -> shape -> skeleton
        self._shapes: dict[
            tuple[str, str],
            dict[
                tuple[tuple[Path, ...], frozenset[Path]],
                tuple[set[tuple[Any, ...]], dict[Any, _Skeleton]],
            ],
        ] = {}
        self._direct: set[tuple[str, str]] = set()
        self._calls: Calls = {}
        self.skeletons = 0
        self.filled = 0
        self.direct = 0

    def render(self, kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
        group = (kind, language)
        if group not in self._direct:
            try:
                # The language also for the holes: a choice's label is a string too. (Not
                # switched when it is already on: the sweep's messages are mostly Danish.)
                with override(language) if get_language() != language else nullcontext():
                    memo: dict[Path, Any] = {}
                    skeleton = self._find(group, context, memo) or self._make(
                        kind, language, context
                    )
                    subject, text, html = skeleton.fill(context, memo, self._calls)
            except NotBatchable as error:
                logger.debug(
                    "%s/%s rendered one by one: %r", kind, language, error.__cause__ or error
                )
                self._direct.add(group)
            except Exception:  # noqa: S110  (this message alone, one by one: it says what is wrong)
                pass
            else:
                self.filled += 1
                return subject, text_body(text), html
        self.direct += 1
        return render_one(kind, language, context)

    def _find(
        self, group: tuple[str, str], context: dict[str, Any], memo: dict[Path, Any]
    ) -> _Skeleton | None:
        calls = self._calls
        for (paths, pinned), (prefixes, skeletons) in self._shapes.get(group, {}).items():
            # The first reads (the lists' lengths among them) tell most shapes apart: a
            # digest per officer is a shape of its own, and not worth reading whole.
            prefix = tuple(
                [_shape_at(_read(context, p, memo, calls), p in pinned) for p in paths[:PREFIX]]
            )
            if prefix not in prefixes:
                continue
            rest = [_shape_at(_read(context, p, memo, calls), p in pinned) for p in paths[PREFIX:]]
            found = skeletons.get(prefix + tuple(rest))
            if found is not None:
                return found
        return None

    def _make(self, kind: str, language: str, context: dict[str, Any]) -> _Skeleton:
        pinned: frozenset[Path] = frozenset()
        for _ in range(self.MAX_PASSES):
            recorder = _Recorder(pinned)
            try:  # (in the caller's override(language))
                outputs = tuple(
                    get_template(f"notifications/{kind}{suffix}").render(
                        _Top(recorder, context, subject=suffix != ".subject.txt")
                    )
                    for suffix in (".subject.txt", ".txt", ".html")
                )
            except NotBatchable:
                raise
            except Exception as error:  # rendering one by one will say what is wrong
                raise NotBatchable from error
            if recorder.failed:
                raise NotBatchable("a failure swallowed by the template")
            skeleton = _Skeleton(recorder, outputs)  # type: ignore[arg-type]
            new_pins = recorder.new_pins | skeleton.mangled
            if not new_pins:
                break
            if SUBJECT in new_pins:
                raise NotBatchable("the subject is used other than printed")
            pinned |= new_pins
        else:
            raise NotBatchable(f"still pinning after {self.MAX_PASSES} renders")
        paths = tuple(path for path in recorder.reads if path != SUBJECT)
        shape = tuple(recorder.reads[path] for path in paths)
        prefixes, skeletons = self._shapes.setdefault((kind, language), {}).setdefault(
            (paths, pinned), (set(), {})
        )
        prefixes.add(shape[:PREFIX])
        skeletons[shape] = skeleton
        self.skeletons += 1
        return skeleton
