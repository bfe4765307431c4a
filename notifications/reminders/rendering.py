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

import datetime
import html
import logging
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.safestring import SafeData
from django.utils.translation import get_language, override

from notifications.services import render as render_one
from notifications.services import subject_line, text_body

logger = logging.getLogger("puljeflow.notifications")

Path = tuple[str | int, ...]

_TAIL = "aA &<>'\"\n"


def _as_typed(value: str) -> str:
    return value


def _escaped(value: str) -> str:
    # django.utils.html.escape is html.escape marked safe; without the lazy wrapper.
    return html.escape(value)


def _linebreaksbr(value: str) -> str:
    return str(linebreaksbr(value, autoescape=True))


def _linebreaksbr_unescaped(value: str) -> str:
    return str(linebreaksbr(value, autoescape=False))


# How a printed hole may come out, each told by what it makes of the marker's tail, and
# done to the message's string in its place. Each works character by character (so the
# marker's tail shows it), which is what makes filling in exact.
_FORMS = {
    form(_TAIL): form for form in (_as_typed, _escaped, _linebreaksbr, _linebreaksbr_unescaped)
}
_HOLE = re.compile("\x00(\\d+)\x01(" + "|".join(re.escape(t) for t in _FORMS) + ")\x02")
_STRAY = re.compile("\x00(\\d+)\x01")
_MISSING = ("missing",)
_HOLE_KEY = ("hole",)
SUBJECT: Path = ("subject",)
PREFIX = 16  # reads compared first when looking for a message's skeleton
# Values a template reads as they are: recorded in the shape by type and value.
_LEAVES = (
    int,
    float,
    Decimal,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
    Promise,
    type(None),
)


class NotBatchable(Exception):
    """The recorder cannot follow what the template does with a value."""


class _Hole(str):
    """A per-message string in the skeleton: printing it is all a template may do."""

    recorder: _Recorder
    path: Path

    def _pin(self) -> None:
        object.__getattribute__(self, "recorder").pin(object.__getattribute__(self, "path"))

    def __getattribute__(self, name: str) -> Any:
        # A str method (value.split()); not __html__, __class__ … (isinstance, escape).
        if not name.startswith("__") and name not in ("recorder", "path", "_pin"):
            object.__getattribute__(self, "_pin")()
        return object.__getattribute__(self, name)

    def __bool__(self) -> bool:  # holes are non-empty strings only: exact
        return True

    def __eq__(self, other: object) -> bool:
        self._pin()
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        self._pin()
        return str.__ne__(self, other)

    def __hash__(self) -> int:
        self._pin()
        return str.__hash__(self)

    def __lt__(self, other: str) -> bool:
        self._pin()
        return str.__lt__(self, other)

    def __le__(self, other: str) -> bool:
        self._pin()
        return str.__le__(self, other)

    def __gt__(self, other: str) -> bool:
        self._pin()
        return str.__gt__(self, other)

    def __ge__(self, other: str) -> bool:
        self._pin()
        return str.__ge__(self, other)

    def __len__(self) -> int:
        self._pin()
        return str.__len__(self)

    def __contains__(self, other: object) -> bool:
        self._pin()
        return str.__contains__(self, other)  # type: ignore[operator]

    def __iter__(self) -> Iterator[str]:
        self._pin()
        return str.__iter__(self)

    def __getitem__(self, index: Any) -> str:
        self._pin()
        return str.__getitem__(self, index)


def _is_hole_value(value: Any) -> bool:
    return type(value) is str and value != ""


def _shape_of(value: Any) -> Any:
    """What a value contributes to the shape, as ``_Recorder.wrap`` records it."""
    if value is _MISSING:
        return _MISSING
    if _is_hole_value(value):
        return _HOLE_KEY
    if isinstance(value, str):  # empty, or a subclass (safe strings, choices)
        return (type(value), str(value), isinstance(value, SafeData))
    if isinstance(value, _LEAVES):
        return (type(value), value)
    if isinstance(value, list | tuple):
        return ("sequence", len(value))
    if isinstance(value, dict):
        return ("mapping",)
    return ("object", type(value))


class _Recorder:
    """Wraps a message's context for one skeleton render and records what is read."""

    def __init__(self, pinned: frozenset[Path]) -> None:
        self.pinned = pinned
        self.reads: dict[Path, Any] = {}
        self.holes: list[tuple[Path, str]] = []  # by hole number: path and real value
        self.new_pins: set[Path] = set()
        self.failed = False

    def pin(self, path: Path) -> None:
        if path not in self.pinned:
            self.new_pins.add(path)

    def fail(self, why: str) -> NotBatchable:
        self.failed = True  # an {% if a == b %} swallows exceptions: remember it here
        return NotBatchable(why)

    def wrap(self, value: Any, path: Path) -> Any:
        if _is_hole_value(value) and path not in self.pinned:
            self.reads[path] = _HOLE_KEY
            hole = _Hole(f"\x00{len(self.holes)}\x01{_TAIL}\x02")
            hole.recorder, hole.path = self, path
            self.holes.append((path, value))
            return hole
        if _is_hole_value(value):  # pinned: its value is part of the shape (_shape_at)
            self.reads[path] = ("pinned", value)
            return value
        shape = _shape_of(value)
        self.reads[path] = shape
        if shape[0] == "sequence":
            return [self.wrap(item, (*path, i)) for i, item in enumerate(value)]
        if shape[0] == "mapping":
            return _Mapping(self, value, path)
        if shape[0] == "object":
            if hasattr(type(value), "__getitem__") or hasattr(type(value), "__iter__"):
                raise self.fail(f"{path}: subscriptable")  # a queryset, a form
            return _Object(self, value, path)
        return value


class _Object:
    """An object in the context (a model instance): its attributes, recorded."""

    def __init__(self, recorder: _Recorder, value: Any, path: Path) -> None:
        self._recorder, self._value, self._path = recorder, value, path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        path = (*self._path, name)
        value = _attribute(self._value, name)
        if value is _MISSING:
            self._recorder.reads[path] = _MISSING
            raise AttributeError(name)
        if value is _UNCALLABLE:
            raise self._recorder.fail(f"{path}: a method not to call")
        return self._recorder.wrap(value, path)

    def __str__(self) -> str:
        # Printing the object itself: its text is a hole like any other string.
        return self._recorder.wrap(str(self._value), (*self._path, "__str__"))


class _Mapping(_Object):
    """A dict in the context (a row of the digest): its items, recorded."""

    def __getitem__(self, key: Any) -> Any:
        path = (*self._path, key)
        if key not in self._value:
            self._recorder.reads[path] = _MISSING
            raise KeyError(key)
        return self._recorder.wrap(self._value[key], path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise self._recorder.fail(f"{self._path}.{name}")  # d.items and the like


class _Top(dict[str, Any]):
    """The context the skeleton is rendered with: names asked for and missing are
    recorded too (``{% if url %}`` in a message without ``url``). ``subject`` (given
    to the text and HTML templates) is a hole the caller fills."""

    def __init__(self, recorder: _Recorder, context: dict[str, Any], subject: bool) -> None:
        super().__init__()
        self._recorder, self._context, self._subject = recorder, context, subject

    def __contains__(self, key: object) -> bool:
        # Set while rendering ({% get_current_language as language %}): as it was set.
        if dict.__contains__(self, key):
            return True
        if key in self._context or (self._subject and key == "subject"):
            return True
        self._recorder.reads[(key,)] = _MISSING  # type: ignore[index]
        return False

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if self._subject and key == "subject":
            return self._recorder.wrap("subject", SUBJECT)
        if key not in self._context:
            self._recorder.reads[(key,)] = _MISSING
            raise KeyError(key)
        return self._recorder.wrap(self._context[key], (key,))

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return default

    def __iter__(self) -> Iterator[str]:
        raise self._recorder.fail("iterating the context")  # flattening it

    def keys(self) -> Any:
        raise self._recorder.fail("the context's keys")


_UNCALLABLE = object()


Calls = dict[tuple[int, str, str | None], tuple[Any, Any]]


def _attribute(value: Any, name: str, calls: Calls | None = None) -> Any:
    """``value.name`` as the template engine reads it (called if callable). ``calls``
    keeps what a method returned for an object, per language: the digest lists the
    same applications to each officer, and ``get_status_display`` is not cheap."""
    try:
        found = getattr(value, name)
    except AttributeError:
        return _MISSING
    if callable(found):
        if getattr(found, "do_not_call_in_templates", False) or getattr(
            found, "alters_data", False
        ):
            return _UNCALLABLE
        key = (id(value), name, get_language())
        if calls is not None and key in calls and calls[key][0] is value:
            return calls[key][1]
        try:
            found = found()
        except TypeError:
            return _UNCALLABLE
        if calls is not None:
            calls[key] = (value, found)  # holding the object: its id stays its own
    return found


def _read(
    context: dict[str, Any], path: Path, memo: dict[Path, Any], calls: Calls | None = None
) -> Any:
    """The value at ``path`` in a message's context, or ``_MISSING``."""
    if path in memo:
        return memo[path]
    memo[path] = value = _walk(context, path, calls)
    return value


def _walk(context: dict[str, Any], path: Path, calls: Calls | None) -> Any:
    value: Any = context
    for i, bit in enumerate(path):
        if i == 0:
            value = context.get(str(bit), _MISSING)
        elif isinstance(bit, int):
            value = value[bit] if isinstance(value, list | tuple) and bit < len(value) else _MISSING
        elif bit == "__str__":
            value = str(value)
        elif isinstance(value, dict):
            value = value.get(bit, _MISSING)
        else:
            value = _attribute(value, bit, calls)
            if value is _UNCALLABLE:
                raise NotBatchable(f"{path}: a method not to call")
        if value is _MISSING:
            return _MISSING
    return value


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
        return "".join(
            part if isinstance(part, str) else part[1](values[part[0]]) for part in parts
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
                # The language also for the holes: a choice's label is a string too.
                with override(language):
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
        for (paths, pinned), (prefixes, skeletons) in self._shapes.get(group, {}).items():

            def shape_at(path: Path, pinned: frozenset[Path] = pinned) -> Any:
                return _shape_at(_read(context, path, memo, self._calls), path in pinned)

            # The first reads (the lists' lengths among them) tell most shapes apart: a
            # digest per officer is a shape of its own, and not worth reading whole.
            prefix = tuple(map(shape_at, paths[:PREFIX]))
            if prefix not in prefixes:
                continue
            found = skeletons.get(prefix + tuple(map(shape_at, paths[PREFIX:])))
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
