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
