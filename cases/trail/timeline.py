"""An application's whole trail in one timeline, for auditors and requests for access.

Five sources, each read with one query whatever the number of events:
the transition records (state changes and chained case events such as conflict
declarations), the history rows of the application and of everything that hangs
off it (field changes as before/after), documents the municipality produced,
attachments received, and the notifications sent with their delivery outcome.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.compiled import Compiled
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
from cases.trail.history import TRANSITION_REASON
from cases.trail.labels import field_label, payload_label
from cases.trail.models import TransitionRecord
from cases.trail.values import Names, field_value, payload_value, raw, want_field, want_payload

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


@dataclass(frozen=True)
class Change:
    """One field's change: its name and label, and the values as read and as stored."""

    field: str
    label: str
    before: str
    after: str
    before_value: Any = None
    after_value: Any = None


@dataclass(frozen=True)
class Datum:
    """One payload key of a transition record: label and display beside key and value."""

    key: str
    label: str
    display: str
    value: Any = None


@dataclass
class Event:
    at: datetime.datetime
    kind: str
    title: str
    actor: str = ""
    role: str = ""
    detail: str = ""
    changes: list[Change] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    status: str = ""
    data: list[Datum] = field(default_factory=list)
    actor_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _fields(model: type[models.Model]) -> list[Any]:
    # What the history records: a field kept out of it (excluded_fields) is not in the trail.
    kept = {f.name for f in history_model(model)._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name in kept and f.name not in _NOISE and not f.name.startswith("history_")
    ]


@functools.cache
def history_model(model: type[models.Model]) -> Any:
    """``model``'s historical model. Not ``model.history.model`` in a loop: simple-history's
    descriptor builds a new manager class on every access (``Manager.from_queryset``,
    ~0.7 ms each); the trail page asked 36 times a request, once per history row."""
    return model.history.model  # type: ignore[attr-defined]


def recorded_fields(model: type[models.Model]) -> list[str]:
    """The names of the fields the trail shows for ``model``'s history (m2m included)."""
    m2m = [f.name for f in getattr(history_model(model), "_history_m2m_fields", [])]
    return [f.name for f in _fields(model)] + m2m


@dataclass
class _History:
    model: type[models.Model]
    label: str
    rows: list[Any]
    # history row id -> {m2m field name: ids selected} (rows that carry a copy)
    m2m: dict[int, dict[str, frozenset[int]]] = field(default_factory=dict)


def _m2m_copies(model: type[models.Model], rows: list[Any], names: Names) -> Any:
    """Each row's copy of the many-to-many selections: one query per m2m field."""
    history = history_model(model)
    copies: dict[int, dict[str, set[int]]] = {}
    for m2m in getattr(history, "_history_m2m_fields", []):
        through = history._meta.get_field(
            f"historical{model._meta.model_name}_{m2m.name}"
        ).related_model
        target = m2m.related_model._meta.model_name
        for history_id, pk in through.objects.filter(
            history_id__in=[r.history_id for r in rows]
        ).values_list("history_id", f"{target}_id"):
            copies.setdefault(history_id, {}).setdefault(m2m.name, set()).add(pk)
            names.want(m2m.related_model._meta.label, pk)
    return copies


def _collect(entry: _History, names: Names) -> None:
    fields = _fields(entry.model)
    for row in entry.rows:
        names.want_user(row.history_user_id)
        for f in fields:
            want_field(names, f, getattr(row, f.attname, None))
    m2m = getattr(history_model(entry.model), "_history_m2m_fields", [])
    if m2m and entry.rows:
        copies = _m2m_copies(entry.model, entry.rows, names)
        for row in entry.rows:
            reason = row.history_change_reason or ""
            if reason.startswith(TRANSITION_REASON):
                continue  # a transition's row carries no copy: the selection is unchanged
            entry.m2m[row.history_id] = {
                f.name: frozenset(copies.get(row.history_id, {}).get(f.name, set())) for f in m2m
            }


def _m2m_changes(
    entry: _History, row: Any, before: dict[str, frozenset[int]] | None, names: Names
) -> tuple[list[Change], dict[str, frozenset[int]] | None]:
    now = entry.m2m.get(row.history_id)
    if now is None:
        return [], before
    changes = []
    for m2m in history_model(entry.model)._history_m2m_fields:
        old = (before or {}).get(m2m.name, frozenset())
        new = now.get(m2m.name, frozenset())
        if old == new:
            continue
        label = m2m.related_model._meta.label

        def read(ids: frozenset[int], label: str = label) -> str:
            return ", ".join(sorted(names.name(label, pk) for pk in ids)) or "–"

        changes.append(
            Change(
                m2m.name,
                field_label(entry.model, m2m.name),
                read(old),
                read(new),
                sorted(old),
                sorted(new),
            )
        )
    return changes, now


def _history_events(entry: _History, names: Names) -> list[Event]:
    """History rows of one object after another → readable before/after events."""
    events = []
    previous: dict[int, Any] = {}
    selections: dict[int, dict[str, frozenset[int]] | None] = {}
    fields = _fields(entry.model)
    for row in entry.rows:
        before = previous.get(row.id)
        changes = []
        for f in fields:
            value = getattr(row, f.attname, None)
            old_value = getattr(before, f.attname, None) if before is not None else None
            new = field_value(names, f, value)
            old = field_value(names, f, old_value) if before is not None else "–"
            if row.history_type == "-" or new != old:
                changes.append(
                    Change(
                        f.name,
                        field_label(entry.model, f.name),
                        old,
                        new,
                        raw(old_value),
                        raw(value),
                    )
                )
        m2m_changes, selections[row.id] = _m2m_changes(entry, row, selections.get(row.id), names)
        changes += m2m_changes
        previous[row.id] = row
        action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[row.history_type]
        if row.history_type == "~" and not changes:
            continue
        events.append(
            Event(
                at=row.history_date,
                kind="conflict" if entry.model is ConflictDeclaration else "change",
                title=f"{entry.label} {action}",
                actor=names.actor(row.history_user_id, row.history_user_name),
                actor_id=row.history_user_id,
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
    # Requests for access to documents (cases/services/access_requests.py).
    "access_register": gettext_lazy("Request for access to documents registered"),
    "access_extend": gettext_lazy("Request for access to documents: deadline extended"),
    "access_decide": gettext_lazy("Request for access to documents decided"),
    "access_hand_out": gettext_lazy("Documents handed out on a request for access"),
    "remove_files": gettext_lazy("Attachments and letters deleted (retention)"),
    # Issue 17: the case given to a case officer (cases/services/assignment.py).
    "assign_case": gettext_lazy("Case assigned to a case officer"),
    # Issue 17: a message on the case (cases/services/case_messages.py).
    "send_message": gettext_lazy("Message on the case"),
    # Issue 18: hand-overs to the journal and the finance system (cases/handover/).
    "journal_case": gettext_lazy("Case journalised"),
    "journal_document": gettext_lazy("Document journalised"),
    "hand_over_payment": gettext_lazy("Payout handed to the finance system"),
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
        return reverse("notes:received_document_download", args=[record.payload["document"]])
    return ""


def _history_of(model: type[models.Model], column: str, *, report: bool = False) -> Compiled:
    """The history rows of ``model`` for one application, oldest first, compiled once: an
    auditor's trail reads a dozen of these, and Django built each anew in about a
    millisecond. ``report``: rows of what hangs off the application's usage reports (any
    report that ever was, from their own history)."""

    def build(application: int) -> Any:
        rows = history_model(model).objects
        if report:
            reports = history_model(UsageReport).objects.filter(application_id=application)
            found = rows.filter(report_id__in=reports.values("id"))
        else:
            found = rows.filter(**{column: application})
        return found.order_by("history_date", "history_id")

    return Compiled(build, "application")


_HISTORIES: list[tuple[type[models.Model], Compiled]] = [
    (Application, _history_of(Application, "id")),
    *((model, _history_of(model, "application_id")) for model in _CHILDREN),
    *((model, _history_of(model, "", report=True)) for model in _REPORT_CHILDREN),
]


# The rest of the file's reads, compiled once as well: the chained records, the letters
# sent, the attachments received with the application and with its usage reports.
_RECORDS = Compiled(
    lambda application: TransitionRecord.objects.filter(application_id=application).order_by("seq"),
    "application",
)
_DOCUMENTS = [
    Compiled(
        lambda application: Document.objects.filter(application_id=application), "application"
    ),
    Compiled(
        lambda application: Attachment.objects.filter(application_id=application), "application"
    ),
    Compiled(
        lambda application: ReportAttachment.objects.filter(report__application_id=application),
        "application",
    ),
]


def _history_rows(application: Application) -> list[_History]:
    """The history rows of the application and of what hangs off it: one query per model."""
    return [
        _History(
            model,
            str(model._meta.verbose_name).capitalize(),
            compiled.objects(application=application.pk),
        )
        for model, compiled in _HISTORIES
    ]


def _record_event(record: TransitionRecord, kind: str, title: str, names: Names) -> Event:
    payload = {k: v for k, v in record.payload.items() if not k.startswith("_")}
    return Event(
        at=record.created_at,
        kind=kind,
        title=title,
        actor=names.actor(record.actor_id_at_record, record.actor_name),
        actor_id=record.actor_id_at_record,
        role=role_label(record.role),
        detail=record.reason,
        status=(
            ""
            if record.from_state == record.to_state
            else f"{ApplicationStatus(record.from_state).label} → "
            f"{ApplicationStatus(record.to_state).label}"
        ),
        payload=payload,
        data=[
            Datum(key, payload_label(key), payload_value(names, key, value), value)
            for key, value in payload.items()
        ],
        link=_record_link(record),
    )


def trail_events(application: Application, kinds: set[str] | None = None) -> list[Event]:
    """Every event of the application's file, oldest first; ``kinds`` filters.

    Ids are gathered first and named in one query per kind of object (``values.Names``).
    """
    wanted = kinds or set(KINDS)
    events: list[Event] = []
    labels = event_labels()
    names = Names()
    records: list[tuple[TransitionRecord, str]] = []
    if wanted & {"transition", "conflict", "note", "document"}:
        for record in _RECORDS.objects(application=application.pk):
            kind = FLOW_KINDS.get(record.flow, "transition")
            if kind in wanted:
                records.append((record, kind))
                names.want_user(record.actor_id_at_record)
                want_payload(names, record.payload)
    histories = _history_rows(application) if wanted & {"change", "conflict"} else []
    for entry in histories:
        _collect(entry, names)
    documents, attachments, received = (
        [read.objects(application=application.pk) for read in _DOCUMENTS]
        if "document" in wanted
        else ([], [], [])
    )
    for item in [*documents, *attachments, *received]:
        names.want_user(item.created_by_id if isinstance(item, Document) else item.uploaded_by_id)
    names.resolve()

    for record, kind in records:
        events.append(
            _record_event(record, kind, labels.get(record.transition, record.transition), names)
        )
    for entry in histories:
        events += [e for e in _history_events(entry, names) if e.kind in wanted]
    for document in documents:
        events.append(
            Event(
                at=document.created_at,
                kind="document",
                title=_("Sent: %(title)s") % {"title": document.title},
                actor=names.user(document.created_by_id),
                actor_id=document.created_by_id,
                link=reverse("audit:document_download", args=[document.pk]),
            )
        )
    for attachment in attachments:
        events.append(
            Event(
                at=attachment.uploaded_at,
                kind="document",
                title=_("Received: %(name)s (%(kind)s)")
                % {"name": attachment.original_name, "kind": attachment.get_kind_display()},
                actor=names.user(attachment.uploaded_by_id),
                actor_id=attachment.uploaded_by_id,
            )
        )
    for item in received:
        events.append(
            Event(
                at=item.uploaded_at,
                kind="document",
                title=_("Received with the usage report: %(name)s (%(kind)s)")
                % {"name": item.original_name, "kind": item.get_kind_display()},
                actor=names.user(item.uploaded_by_id),
                actor_id=item.uploaded_by_id,
                link=reverse("after_grant:report_attachment_download", args=[item.pk]),
            )
        )
    for kind, source in _event_sources.items():
        if kind in wanted:
            events += source(application)
    events.sort(key=lambda e: e.at)
    return events
