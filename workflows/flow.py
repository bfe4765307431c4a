"""What every flow shares: who acts, in which role, and how a transition saves and records.

A flow wraps one domain object (``subject``) whose status field is its ``fsm.State``.
The engine (``engine.py``) makes the flow with the acting user and the role their
permission rule named, and runs one transition method on it; the method changes the
object and calls ``_save`` and ``_record`` — written here once for every flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

from cases.compiled import Compiled
from cases.models import Application
from cases.trail.chain import record_transition
from cases.trail.history import TRANSITION_REASON

# The pool's row lock of each pool model, compiled once (Flow.lock_pool).
_POOL_LOCKS: dict[Any, Compiled] = {}


class Flow:
    """The base of every flow. Subclasses set ``name``, ``states``, ``state`` and ``model``.

    ``name`` is the stable identifier written on each transition record; ``states`` is
    the status enum the chart draws (``fsm.State`` does not keep it); ``initial`` and
    ``terminal`` shape the chart.
    """

    name: ClassVar[str] = ""
    model: ClassVar[type[models.Model]]
    states: ClassVar[Any]
    state: ClassVar[Any]
    status_field: ClassVar[str] = "status"
    initial: ClassVar[str] = ""
    terminal: ClassVar[frozenset[str]] = frozenset()
    # The subject's foreign key to the row holding the pool that transitions marked
    # ``custom["spends_pool"]`` draw on (an application's round); "" if none do.
    pool_field: ClassVar[str] = ""
    # The name the transition records carry (``TransitionRecord.flow``); ``name`` unless set.
    # Every flow of an application records as "application": the trail, the minutes and the
    # chain's checks read the case's life as one; the round names which flow it followed.
    record_flow: ClassVar[str] = ""
    # What a round form or a chart page calls the flow, and says it does.
    title: ClassVar[Any] = ""
    description: ClassVar[Any] = ""

    def __init__(self, subject: Any, *, actor: Any = None, role: str = "") -> None:
        self.subject = subject
        self.actor = actor
        self.role = role
        self.from_state: str = getattr(subject, self.status_field)
        # The transition being run: names the history row and the transition record.
        self._current = ""

    @property
    def case(self) -> Application:
        """The application whose chain records this flow's transitions."""
        raise NotImplementedError

    @classmethod
    def prepare(cls, subject: Any, transitions: list[Any]) -> None:
        """Read ahead, with ``subject`` locked, what the checks of ``transitions`` ask (a
        flow may cache it on the subject, so that fewer statements answer them)."""

    # --- refusals in the subject's words (the engine asks; a flow may say it its own way) --

    @classmethod
    def not_possible_message(cls, name: str, action: str, status: str) -> str:
        """Why transition ``name`` (labelled ``action``) is not possible in ``status``
        (the state's label)."""
        return _("“%(action)s” is not possible while the application is “%(status)s”.") % {
            "action": action,
            "status": status,
        }

    @classmethod
    def moved_on_message(cls, status: str) -> str:
        """Why an action on what the user saw is refused: someone else moved it on to
        ``status`` (the state's label) meanwhile."""
        return _(
            "This case has moved on: someone else changed it to “%(status)s” "
            "while you were working on it. Reload the page to see its current state."
        ) % {"status": status}

    @classmethod
    def not_permitted_message(cls, action: str) -> str:
        return _("You are not allowed to take the action “%(action)s” on this application.") % {
            "action": action
        }

    # --- the state, bound to the subject's status field ----------------------------------

    def _get_status(self) -> str:
        return str(getattr(self.subject, self.status_field))

    def _set_status(self, value: str) -> None:
        setattr(self.subject, self.status_field, value)

    # --- running, saving, recording ------------------------------------------------------

    @classmethod
    def lock(cls, subject: Any) -> Any:
        """The subject read again with its row locked (``select_for_update``) until commit."""
        return cls.model._default_manager.select_for_update(of=("self",)).get(pk=subject.pk)

    @classmethod
    def lock_pool(cls, pool_id: Any) -> None:
        """Lock the pool's row until commit, so spending from it is one at a time.

        Always before any subject's row (the engine and ``bulk`` both do so): the one
        order everywhere is what keeps a bulk decision and a single one from deadlocking.
        FOR NO KEY UPDATE, not FOR UPDATE: it still excludes every other spender, but
        not a transaction merely inserting a row that refers to the pool (a new
        application in the round takes FOR KEY SHARE on it).
        """
        pool_model: Any = cls._pool_key().related_model
        lock = _POOL_LOCKS.get(pool_model)
        if lock is None:  # compiled once per pool model (cases/compiled.py)
            lock = _POOL_LOCKS[pool_model] = Compiled(
                lambda pk: (
                    pool_model._default_manager.select_for_update(no_key=True)
                    .filter(pk=pk)
                    .values_list("pk")
                ),
                "pk",
            )
        lock.rows(pk=int(pool_id))

    @classmethod
    def pool_of(cls, subject: Any) -> Any:
        """The id of the pool's row that ``subject`` spends from."""
        return getattr(subject, cls._pool_key().attname)

    @classmethod
    def _pool_key(cls) -> models.ForeignKey[Any, Any]:
        field = cls.model._meta.get_field(cls.pool_field)
        if not isinstance(field, models.ForeignKey):
            raise ImproperlyConfigured(f"{cls.__name__}.pool_field names no foreign key.")
        return field

    def take(self, name: str, **values: Any) -> Any:
        """Run transition ``name`` with typed ``values`` (the caller has checked permission)."""
        self._current = name
        return getattr(self, name)(**values)

    def _save(self, *fields: str) -> None:
        """Save the subject's status and ``fields``, naming the actor and the transition."""
        subject = self.subject
        subject._history_user = self.actor
        # Names the history row; a transition never touches the many-to-many fields, so
        # its row carries no copy of them (see cases.trail.history.TRANSITION_REASON).
        subject._change_reason = f"{TRANSITION_REASON}{self._current}"
        concrete = {f.name for f in subject._meta.concrete_fields}
        update = [self.status_field]
        if "version" in concrete:
            subject.version += 1
            update.append("version")
        if "updated_at" in concrete:
            update.append("updated_at")
        try:
            subject.save(update_fields=[*update, *fields])
        finally:
            del subject._change_reason

    def _record(self, reason: str = "", **payload: Any) -> None:
        """Append this transition to the case's chain of transition records."""
        payload = {**payload, **RECORD_EXTRA.get()}
        record_transition(
            application=self.case,
            flow=self.record_flow or self.name,
            transition=self._current,
            from_state=self.from_state,
            to_state=self._get_status(),
            actor=self.actor,
            role=self.role,
            reason=reason,
            payload=payload,
        )


# Payload a caller adds to the records written inside ``record_extra`` (issue 20: the bulk
# recording adds the allocation assistant's proposal to each recommendation / decision).
RECORD_EXTRA: ContextVar[dict[str, Any]] = ContextVar("record_extra", default={})  # noqa: B039


@contextmanager
def record_extra(**payload: Any) -> Iterator[None]:
    """Add ``payload`` to every transition record written inside the block."""
    token = RECORD_EXTRA.set({**RECORD_EXTRA.get(), **payload})
    try:
        yield
    finally:
        RECORD_EXTRA.reset(token)


def condition(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A transition's condition, evaluated at most once per flow object.

    The engine checks the conditions before it validates the input (a refusal says
    why the action is not possible before it finds fault with the input), and
    viewflow.fsm checks them again when the method is called; both happen with the
    row locked, on the same flow object, so the second answer is the first.
    """

    @wraps(check)
    def once(flow: Any) -> Any:
        answers = flow.__dict__.setdefault("_conditions", {})
        if check not in answers:
            answers[check] = check(flow)
        return answers[check]

    return once
