"""Recording what a notification template reads from its context, for the batch
renderer (``rendering.py``, whose docstring says how the two fit together).

A message's context is wrapped for one render: non-empty plain strings become *holes*
(marker strings that notice any use but printing), objects, dicts and lists become
wrappers that record each value read by its path, and ``_read`` reads the same paths
from another message's context, as the template engine would.
"""

from __future__ import annotations

import datetime
import html
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils.functional import Promise
from django.utils.safestring import SafeData
from django.utils.translation import get_language

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
    """The value at ``path`` in a message's context, or ``_MISSING``. Read from the
    value at its parent path (memoised too): a message's paths share their beginnings
    (``application.round.name``, ``application.round.deadline``)."""
    if path in memo:
        return memo[path]
    if len(path) == 1:
        value = context.get(str(path[0]), _MISSING)
    else:
        parent = _read(context, path[:-1], memo, calls)
        value = _MISSING if parent is _MISSING else _step(parent, path, calls)
    memo[path] = value
    return value


def _step(value: Any, path: Path, calls: Calls | None) -> Any:
    """``path``'s last step from ``value``, the value at the rest of ``path``."""
    bit = path[-1]
    if isinstance(bit, int):
        return value[bit] if isinstance(value, list | tuple) and bit < len(value) else _MISSING
    if bit == "__str__":
        return str(value)
    if isinstance(value, dict):
        return value.get(bit, _MISSING)
    found = _attribute(value, bit, calls)
    if found is _UNCALLABLE:
        raise NotBatchable(f"{path}: a method not to call")
    return found
