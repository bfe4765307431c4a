"""Recorded values as people read them: names for ids, money, local times, Ja/Nej.

``Names`` collects every id a trail refers to (foreign keys in history rows, ids in
transition payloads, the actors) while the events are gathered, then resolves them in
one query per kind of object — never one per id, so a trail of 10 events and one of
5000 cost the same queries. ``field_value`` and ``payload_value`` render afterwards.

A user whose account retention has anonymised (``cases.services.retention``) reads as
"anonymiseret bruger" wherever the trail names them; the id stays in the JSON export.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import pgettext, pgettext_lazy

from cases.compiled import CompiledList
from cases.formatting import money
from cases.limits import MAX_ID
from cases.trail.labels import PAYLOAD_KEYS, choice_labels, describe

# An anonymised account's username starts with this; its name reads as ANONYMISED_USER.
ANONYMISED_USERNAME_PREFIX = "anonymiseret-"
ANONYMISED_USER = pgettext_lazy("trail", "anonymised user")
DASH = "–"


def local_time(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def local_iso(value: datetime.datetime) -> str:
    """ISO 8601 in Europe/Copenhagen with its offset (+01:00 in winter, +02:00 in summer)."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def yes_no(value: Any) -> str:
    return pgettext("trail", "Yes") if value else pgettext("trail", "No")


def is_anonymised(user: Any) -> bool:
    return str(getattr(user, "username", "")).startswith(ANONYMISED_USERNAME_PREFIX)


def user_name(user: Any) -> str:
    if user is None:
        return ""
    if is_anonymised(user):
        return str(ANONYMISED_USER)
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def _name(obj: Any) -> str:
    """How one referred object reads, by its model."""
    label = obj._meta.label
    if label == "cases.Meeting":
        return f"{obj.get_body_display()} {obj.date:%d.%m.%Y}"
    if label == "cases.Application":
        return obj.case_number
    if label == "cases.BudgetLine":
        return obj.description
    if label == "cases.Document":
        return f"{obj.title} ({local_time(obj.created_at)})"
    if label == "cases.UsageReport":
        when = local_time(obj.submitted_at) if obj.submitted_at else DASH
        return pgettext("trail", "usage report submitted %(when)s") % {"when": when}
    if label == "cases.Payout":
        return f"{money(obj.amount)} ({obj.paid_on:%d.%m.%Y})"
    if label == "cases.RepaymentClaim":
        return pgettext("trail", "%(amount)s, due %(due)s") % {
            "amount": money(obj.amount),
            "due": f"{obj.due_on:%d.%m.%Y}",
        }
    if label == "cases.CarryOver":
        return money(obj.amount)
    name = getattr(obj, "name", None)
    return str(name) if name else str(obj)


_BY_IDS: dict[str, CompiledList] = {}


def _by_ids(label: str) -> CompiledList:
    """The rows of the model ``label`` with the ids given, compiled once per number of ids:
    a trail names the same few kinds of object on every page."""
    found = _BY_IDS.get(label)
    if found is None:
        model = apps.get_model(label)
        found = _BY_IDS[label] = CompiledList(lambda ids: model._default_manager.filter(pk__in=ids))
    return found


class Names:
    """Ids wanted by model, then resolved in one query per model (``resolve``)."""

    def __init__(self) -> None:
        self._wanted: dict[str, set[int]] = defaultdict(set)
        self._names: dict[tuple[str, int], str] = {}
        self.user_label = get_user_model()._meta.label

    def want(self, model_label: str, pk: Any) -> None:
        if isinstance(pk, int | str) and str(pk).isdigit():
            self._wanted[model_label].add(int(pk))

    def want_user(self, pk: Any) -> None:
        self.want(self.user_label, pk)

    def resolve(self) -> None:
        for label, ids in self._wanted.items():
            missing = sorted(pk for pk in ids if (label, pk) not in self._names)
            # An id beyond any table's names nothing (and cannot be bound).
            missing = [pk for pk in missing if 0 < pk <= MAX_ID]
            if not missing:
                continue
            for obj in _by_ids(label).objects(missing):
                self._names[(label, obj.pk)] = (
                    user_name(obj) if label == self.user_label else _name(obj)
                )
        self._wanted.clear()

    def name(self, model_label: str, pk: Any) -> str:
        if pk in (None, ""):
            return DASH
        found = self._names.get((model_label, int(pk))) if str(pk).isdigit() else None
        return found if found is not None else pgettext("trail", "(deleted)")

    def user(self, pk: Any) -> str:
        return self.name(self.user_label, pk)

    def actor(self, pk: Any, recorded_name: str) -> str:
        """The actor as recorded, unless their account has since been anonymised."""
        if pk is not None and self._names.get((self.user_label, int(pk))) == str(ANONYMISED_USER):
            return str(ANONYMISED_USER)
        return recorded_name


# --- fields of history rows -------------------------------------------------------------


def _target(field: models.Field) -> str:
    """The label of the model a relation points to; "" for any other field."""
    model = field.related_model if field.is_relation else None
    return model._meta.label if isinstance(model, type) else ""


def want_field(names: Names, field: models.Field, value: Any) -> None:
    if _target(field) and value is not None:
        names.want(_target(field), value)


def field_value(names: Names, field: models.Field, value: Any) -> str:
    """A field's stored value (``attname``) as it reads."""
    if value in (None, ""):
        return DASH
    if _target(field):
        return names.name(_target(field), value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return yes_no(value)
    if isinstance(field, models.DecimalField):
        return money(value)
    if isinstance(field, models.DateTimeField):
        return local_time(value)
    if isinstance(field, models.DateField):
        return f"{value:%d.%m.%Y}"
    if isinstance(field, models.FileField):
        # The stored name only (its folders carry the case's internal number).
        return PurePosixPath(str(value)).name
    if field.name == "html":
        return pgettext("trail", "%(n)s characters") % {"n": len(str(value))}
    if isinstance(field, models.JSONField):
        return describe(value)
    return str(value)


def raw(value: Any) -> Any:
    """A stored value for the JSON export: ids stay ids, times ISO with offset."""
    if isinstance(value, datetime.datetime):
        return local_iso(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


# --- transition payloads ----------------------------------------------------------------


def want_payload(names: Names, payload: dict[str, Any]) -> None:
    for key, value in payload.items():
        spec = PAYLOAD_KEYS.get(key)
        if spec is None:
            continue
        if spec.kind == "model":
            names.want(spec.model, value)
        elif spec.kind == "models" and isinstance(value, list):
            for pk in value:
                names.want(spec.model, pk)
        elif spec.kind == "user":
            names.want_user(value)
        elif spec.kind == "users" and isinstance(value, list):
            for pk in value:
                names.want_user(pk)


def _date(value: Any) -> str:
    day = parse_date(str(value)[:10]) if value else None
    return f"{day:%d.%m.%Y}" if day else describe(value)


def _datetime(value: Any) -> str:
    moment = parse_datetime(str(value)) if value else None
    if moment is None:
        return describe(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return local_time(moment)


def _money(value: Any) -> str:
    try:
        return money(value)
    except (InvalidOperation, TypeError, ValueError):  # not an amount: as stored
        return describe(value)


def payload_value(names: Names, key: str, value: Any) -> str:
    """A payload value as it reads; an unknown key as stored, without brackets."""
    spec = PAYLOAD_KEYS.get(key)
    if spec is None or value in (None, "", [], {}):
        return DASH if value in (None, "", [], {}) else describe(value)
    kind = spec.kind
    if kind == "money":
        return _money(value)
    if kind == "bool":
        return yes_no(value)
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return _datetime(value)
    if kind == "choice":
        return choice_labels().get(spec.choices, {}).get(str(value), str(value))
    if kind == "model":
        return names.name(spec.model, value)
    if kind == "models":
        return (
            ", ".join(names.name(spec.model, pk) for pk in value)
            if isinstance(value, list)
            else DASH
        )
    if kind == "user":
        return names.user(value)
    if kind == "users":
        return ", ".join(names.user(pk) for pk in value) if isinstance(value, list) else DASH
    return _structured(kind, value)


def _structured(kind: str, value: Any) -> str:
    outcomes = choice_labels()["outcome"]
    if kind == "assessments" and isinstance(value, dict):
        return ", ".join(f"{outcomes.get(k, k)}: {n}" for k, n in value.items())
    if kind == "lines" and isinstance(value, list):
        return "; ".join(
            f"{line.get('description', '')}: {_money(line.get('spent'))}"
            for line in value
            if isinstance(line, dict)
        )
    if kind == "attachments" and isinstance(value, list):
        from cases.models import ReportAttachmentKind

        kinds = dict(ReportAttachmentKind.choices)
        return "; ".join(
            f"{item.get('name', '')} ({kinds.get(str(item.get('kind')), item.get('kind'))})"
            for item in value
            if isinstance(item, dict)
        )
    if kind == "overrun" and isinstance(value, dict):
        return pgettext("trail", "%(total)s of a pool of %(pool)s: %(reason)s") % {
            "total": _money(value.get("total")),
            "pool": _money(value.get("pool")),
            "reason": value.get("reason", ""),
        }
    if kind == "recommendation" and isinstance(value, dict):
        outcome = outcomes.get(str(value.get("outcome")), str(value.get("outcome") or DASH))
        return f"{outcome}, {_money(value.get('amount'))}"
    if kind == "fields" and isinstance(value, list):
        from cases.models import Association

        return ", ".join(
            str(getattr(Association._meta.get_field(name), "verbose_name", name)) for name in value
        )
    if kind == "removed_files" and isinstance(value, list):
        return "; ".join(
            f"{item.get('name', '')} ({item.get('size', 0)} bytes, {item.get('sha256', '')})"
            for item in value
            if isinstance(item, dict)
        )
    if kind == "hearing" and isinstance(value, dict):
        if value.get("kind") == "exception":
            return pgettext("trail", "Not heard (§ 19, stk. 2): %(reason)s") % {
                "reason": value.get("reason", "")
            }
        answered = yes_no(value.get("answered"))
        return pgettext("trail", "Heard, answered: %(answered)s, ended %(ended)s") % {
            "answered": answered,
            "ended": _date(value.get("ended_on")),
        }
    if kind == "vote" and isinstance(value, dict):
        if value.get("unanimous"):
            return pgettext("trail", "Unanimous")
        return pgettext("trail", "For %(for)s, against %(against)s, abstaining %(abst)s") % {
            "for": value.get("for", 0),
            "against": value.get("against", 0),
            "abst": value.get("abstaining", 0),
        }
    if kind == "allocation" and isinstance(value, dict):  # issue 20: the assistant's proposal
        from cases.allocation import method_label

        return pgettext("trail", "%(method)s: proposed %(proposed)s, chosen %(chosen)s") % {
            "method": method_label(str(value.get("method", ""))),
            "proposed": _money(value.get("proposed")),
            "chosen": _money(value.get("chosen")),
        }
    return describe(value) if kind != "text" else str(value)
