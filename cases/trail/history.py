"""Keeping every write of a domain model visible to django-simple-history.

simple-history records ``save()`` and ``delete()`` through model signals; it
records nothing for ``QuerySet.update()``, ``bulk_create()`` or
``bulk_update()``. Domain models use ``AuditedManager``, whose querysets refuse
those calls, so an unaudited write fails loudly instead of silently leaving a
hole in the trail. Code that must bulk-write (a load generator) writes the
history rows itself and says so with ``unaudited_writes_allowed()``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.dispatch import receiver
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

_allowed = contextvars.ContextVar("unaudited_writes_allowed", default=False)

SYSTEM_USERNAME = "system"


class UnauditedWriteError(RuntimeError):
    pass


@contextmanager
def unaudited_writes_allowed() -> Iterator[None]:
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)


class AuditedQuerySet(models.QuerySet):
    def _refuse(self, what: str) -> None:
        if not _allowed.get():
            raise UnauditedWriteError(
                f"{self.model.__name__}.objects.{what}() bypasses the model history; "
                "save each object instead."
            )

    def update(self, **kwargs: Any) -> int:
        self._refuse("update")
        return super().update(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        self._refuse("bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        self._refuse("bulk_update")
        return super().bulk_update(objs, fields, *args, **kwargs)


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)


def system_user() -> Any:
    """The actor recorded for background work (Celery, management commands)."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "Puljeflow", "last_name": "(system)"},
    )
    return user


def history_user_getter(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    user = getattr(instance, "_history_user", None)
    if user is not None:
        return user
    request_user = getattr(request, "user", None)
    if request_user is not None and request_user.is_authenticated:
        return request_user
    return system_user()


class ActorNameAtTheTime(models.Model):
    """History rows keep who made the change by id *and* by the name they had then.

    The id is a plain integer, not a foreign key: deleting a user must not change
    (SET NULL) a single history row, and on PostgreSQL the history tables refuse
    UPDATE and DELETE altogether (see workflows/migrations/0002_append_only.py).
    """

    history_user_name = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


# The history row of a flow transition has this change reason (+ the transition's name).
TRANSITION_REASON = "transition:"


class AuditedHistoricalRecords(HistoricalRecords):
    """History that skips the many-to-many copy on a flow transition's save.

    simple-history copies every many-to-many selection (an application's focus areas
    and target groups) onto each history row: two SELECTs and two INSERTs on every
    transition, a fifth of a transition's time in the benchmark (docs/benchmarks.md).
    A transition never changes those selections, and a change to them writes a history
    row of its own (m2m_changed) with the copy. So: a row whose change reason starts
    with ``TRANSITION_REASON`` carries no copy; the selection at that point is the copy
    on the latest earlier row without that reason.
    """

    def create_historical_record_m2ms(self, history_instance: Any, instance: Any) -> None:
        reason = history_instance.history_change_reason or ""
        if reason.startswith(TRANSITION_REASON):
            return
        super().create_historical_record_m2ms(history_instance, instance)

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        found = sender.__dict__.get(self.manager_name)
        if type(found) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                ManagerBuiltOnce(
                    found.model, manager=found.manager_class, queryset=found.queryset_class
                ),
            )


class ManagerBuiltOnce(HistoryDescriptor):
    """simple-history's ``Model.history``, its manager class built once, not on each access.

    simple-history builds the class anew (``from_queryset``, an ``inspect.getmembers`` of the
    queryset class) every time ``instance.history`` or ``Model.history`` is read — and it
    reads it for every history row it writes: about half a millisecond per row, two rows per
    transition (issue 19's profile). The class depends on nothing but the two classes.
    """

    def __get__(self, instance: Any, owner: Any) -> Any:
        built = self.__dict__.get("_built")
        if built is None:
            built = self._built = self.manager_class.from_queryset(self.queryset_class)
        return built(self.model, instance)


def audited_history(**options: Any) -> HistoricalRecords:
    return AuditedHistoricalRecords(
        get_user=history_user_getter,
        history_user_id_field=models.IntegerField(null=True, blank=True, db_index=True),
        bases=[ActorNameAtTheTime],
        inherit=False,
        **options,
    )


def actor_display_name(user: Any) -> str:
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()


@receiver(pre_create_historical_record)
def _keep_actor_name(sender: Any, history_instance: Any, history_user: Any, **kwargs: Any) -> None:
    if hasattr(history_instance, "history_user_name"):
        history_instance.history_user_name = actor_display_name(history_user)[:300]


@receiver(post_create_historical_record)
def _remember_history_row(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    # The transition record that follows names this row and its digest (chain.state_of),
    # so a history row rewritten later no longer matches the chain. No query: in memory.
    instance._trail_history = history_instance
