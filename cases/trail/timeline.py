"""An application's whole trail in one timeline, for auditors and requests for access.

Five sources, each read with one query whatever the number of events:
the transition records (state changes and chained case events such as conflict
declarations), the history rows of the application and of everything that hangs
off it (field changes as before/after), documents the municipality produced,
attachments received, and the notifications sent with their delivery outcome.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    Assessment,
    Attachment,
    BudgetLine,
    CarryOver,
    ConflictDeclaration,
    Document,
    Payout,
    RepaymentClaim,
    ReportAttachment,
    UsageReport,
    UsageReportLine,
)
from cases.roles import role_label
from cases.trail.history import actor_display_name
from cases.trail.models import TransitionRecord

KINDS = {
    "transition": gettext_lazy("Steps in the case"),
    "change": gettext_lazy("Changes to the case's data"),
    "document": gettext_lazy("Documents received and sent"),
    "notification": gettext_lazy("Notifications"),
    "conflict": gettext_lazy("Conflicts of interest"),
    "note": gettext_lazy("File notes"),
}

# Chained case events shown under their own kind; the rest of the records are steps.
FLOW_KINDS = {"conflicts": "conflict", "notes": "note", "documents": "document"}

# Bookkeeping columns a reader does not need to see change.
_NOISE = {"id", "version", "updated_at", "created_at", "history_user_name"}

# The models whose history belongs to an application's file (each has ``application``).
_CHILDREN: list[type[models.Model]] = [
    BudgetLine,
    Attachment,
    Payout,
    UsageReport,
    RepaymentClaim,
    CarryOver,
    Assessment,
    ConflictDeclaration,
    AgendaItem,
]
# ... and those that hang off a usage report (``report__application``).
_REPORT_CHILDREN: list[type[models.Model]] = [UsageReportLine, ReportAttachment]


@dataclass
class Event:
    at: datetime.datetime
    kind: str
    title: str
    actor: str = ""
    role: str = ""
    detail: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    status: str = ""

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _value(instance: Any, name: str) -> str:
    concrete = instance._meta.get_field(name)
    value = getattr(instance, concrete.attname, None)
    if value in (None, ""):
        return "–"
    if concrete.choices:
        return str(dict(concrete.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _fields(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in _NOISE and not f.name.startswith("history_")
    ]


def _history_events(rows: list[Any], model: type[models.Model], label: str) -> list[Event]:
    """History rows of one object after another → readable before/after events."""
    events = []
    previous: dict[int, Any] = {}
    fields = _fields(model)
    for row in rows:
        before = previous.get(row.id)
        changes = []
        for f in fields:
            new = _value(row, f.name)
            old = _value(before, f.name) if before is not None else "–"
            if row.history_type == "-" or new != old:
                changes.append((str(f.verbose_name).capitalize(), old, new))
        previous[row.id] = row
        action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[row.history_type]
        if row.history_type == "~" and not changes:
            continue
        events.append(
            Event(
                at=row.history_date,
                kind="conflict" if model is ConflictDeclaration else "change",
                title=f"{label} {action}",
                actor=row.history_user_name,
                changes=changes if row.history_type != "-" else [],
            )
        )
    return events


# The domain's own chained events that are not state changes (cases/services/).
CASE_EVENT_LABELS = {
    "declare_conflict": gettext_lazy("Conflict of interest declared"),
    "rule_conflict": gettext_lazy("Ruling on a declared conflict of interest"),
    "anonymise": gettext_lazy("Personal data anonymised (retention)"),
    "file_note": gettext_lazy("File note"),
    "receive_document": gettext_lazy("Document received"),
}

# The layers above add to the timeline without the domain importing them: each flow
# registers how its transitions read once done ("Submitted"), and the notifications
# app registers the messages sent about a case (both in their AppConfig.ready).
EventSource = Callable[[Application], list["Event"]]
_label_sources: list[Callable[[], dict[str, str]]] = []
_event_sources: dict[str, EventSource] = {}


def register_labels(source: Callable[[], dict[str, str]]) -> None:
    if source not in _label_sources:
        _label_sources.append(source)


def register_event_source(kind: str, source: EventSource) -> None:
    _event_sources[kind] = source


def event_labels() -> dict[str, str]:
    """How each recorded transition or case event reads in a timeline."""
    labels: dict[str, str] = {}
    for source in _label_sources:
        labels.update(source())
    labels.update({name: str(label) for name, label in CASE_EVENT_LABELS.items()})
    return labels


def _record_link(record: TransitionRecord) -> str:
    if record.transition == "receive_document" and record.payload.get("document"):
        return reverse("received_document_download", args=[record.payload["document"]])
    return ""


def trail_events(application: Application, kinds: set[str] | None = None) -> list[Event]:
    """Every event of the application's file, oldest first; ``kinds`` filters."""
    wanted = kinds or set(KINDS)
    events: list[Event] = []
    labels = event_labels()
    if wanted & {"transition", "conflict", "note", "document"}:
        for record in TransitionRecord.objects.filter(application=application).order_by("seq"):
            kind = FLOW_KINDS.get(record.flow, "transition")
            if kind not in wanted:
                continue
            events.append(
                Event(
                    at=record.created_at,
                    kind=kind,
                    title=labels.get(record.transition, record.transition),
                    actor=record.actor_name,
                    role=role_label(record.role),
                    detail=record.reason,
                    status=(
                        ""
                        if record.from_state == record.to_state
                        else f"{ApplicationStatus(record.from_state).label} → "
                        f"{ApplicationStatus(record.to_state).label}"
                    ),
                    payload={k: v for k, v in record.payload.items() if not k.startswith("_")},
                    link=_record_link(record),
                )
            )
    if wanted & {"change", "conflict"}:
        rows = list(application.history.order_by("history_date", "history_id"))
        events += _history_events(rows, Application, str(Application._meta.verbose_name))
        for model in _CHILDREN:
            history = model.history.model  # type: ignore[attr-defined]
            rows = list(
                history.objects.filter(application_id=application.pk).order_by(
                    "history_date", "history_id"
                )
            )
            label = str(model._meta.verbose_name).capitalize()
            events += [e for e in _history_events(rows, model, label) if e.kind in wanted]
        report_ids = list(
            UsageReport.history.model.objects.filter(application_id=application.pk)
            .values_list("id", flat=True)
            .distinct()
        )
        for model in _REPORT_CHILDREN:
            history = model.history.model  # type: ignore[attr-defined]
            rows = list(
                history.objects.filter(report_id__in=report_ids).order_by(
                    "history_date", "history_id"
                )
            )
            label = str(model._meta.verbose_name).capitalize()
            events += [e for e in _history_events(rows, model, label) if e.kind in wanted]
    if "document" in wanted:
        for document in Document.objects.filter(application=application).select_related(
            "created_by"
        ):
            events.append(
                Event(
                    at=document.created_at,
                    kind="document",
                    title=_("Sent: %(title)s") % {"title": document.title},
                    actor=actor_display_name(document.created_by),
                    link=reverse("document_download", args=[document.pk]),
                )
            )
        for attachment in Attachment.objects.filter(application=application).select_related(
            "uploaded_by"
        ):
            events.append(
                Event(
                    at=attachment.uploaded_at,
                    kind="document",
                    title=_("Received: %(name)s (%(kind)s)")
                    % {"name": attachment.original_name, "kind": attachment.get_kind_display()},
                    actor=attachment.uploaded_by.get_username() if attachment.uploaded_by else "",
                )
            )
        for received in ReportAttachment.objects.filter(
            report__application=application
        ).select_related("uploaded_by"):
            events.append(
                Event(
                    at=received.uploaded_at,
                    kind="document",
                    title=_("Received with the usage report: %(name)s (%(kind)s)")
                    % {"name": received.original_name, "kind": received.get_kind_display()},
                    actor=received.uploaded_by.get_username(),
                    link=reverse("report_attachment_download", args=[received.pk]),
                )
            )
    for kind, source in _event_sources.items():
        if kind in wanted:
            events += source(application)
    events.sort(key=lambda e: e.at)
    return events
