"""Writes that are not transitions: drafts, budget lines, attachments, paper applications.

Each takes the acting user and saves through the model (never queryset.update),
so django-simple-history records who changed what.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import roles, upload_quota
from cases.models import (
    Application,
    Association,
    Attachment,
    BudgetLine,
    CaseNumberCounter,
    FocusArea,
    GrantRound,
    Municipality,
    Role,
    TargetGroup,
)

DRAFT_FIELDS = (
    "title",
    "purpose",
    "target_group",
    "activity_description",
    "volunteers",
    "members",
    "participants",
    "amount_requested",
    "other_funding",
    "other_funding_note",
    "declaration_correct",
    "works_with_children",
    "child_certificates_obtained",
)


def case_number_next(*, municipality: Municipality) -> str:
    """2026-0042: per municipality and year, handed out under a row lock."""
    year = timezone.localdate().year
    with transaction.atomic():
        CaseNumberCounter.objects.get_or_create(municipality=municipality, year=year)
        counter = CaseNumberCounter.objects.select_for_update().get(
            municipality=municipality, year=year
        )
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"{year}-{counter.last_number:04d}"


def _stamp(obj: Any, user: Any) -> Any:
    obj._history_user = user
    return obj


def application_create(
    *,
    grant_round: GrantRound,
    association: Association,
    acting_user: Any,
    data: dict[str, Any],
    focus_areas: Iterable[FocusArea] = (),
    received_at: datetime.datetime | None = None,
) -> Application:
    """A new draft. ``received_at`` marks a paper application typed in by a case officer.

    ``data`` may carry ``target_groups`` (``TargetGroup`` rows, as ``ApplicationForm.draft_data``
    gives them); the other keys are ``DRAFT_FIELDS``.
    """
    who = roles.profile(acting_user)
    paper = received_at is not None
    if paper:
        if not who.has_role(grant_round.municipality_id, Role.CASE_OFFICER):
            raise PermissionDenied(_("Only a case officer can register a paper application."))
        if received_at is not None and received_at > timezone.now():
            raise ValidationError(
                {"received_at": _("The date of receipt cannot be in the future.")}
            )
    else:
        if association.pk not in who.represents:
            raise PermissionDenied(_("You do not represent %(a)s.") % {"a": association})
        if timezone.now() > grant_round.deadline:
            raise ValidationError(_("The deadline for this round has passed."))
    with transaction.atomic():
        application = Application(
            municipality_id=grant_round.municipality_id,
            round=grant_round,
            association=association,
            case_number=case_number_next(municipality=grant_round.municipality),
            received_at=received_at,
            registered_by=acting_user if paper else None,
            **{k: v for k, v in data.items() if k in DRAFT_FIELDS},
        )
        application.full_clean(exclude=["case_number", "municipality"])
        _stamp(application, acting_user).save()
        application.focus_areas.set(list(focus_areas))
        _set_target_groups(application, data)
    return application


def _set_target_groups(application: Application, data: dict[str, Any]) -> None:
    """Replace the application's target groups when ``data`` names them (absent: unchanged)."""
    groups: Iterable[TargetGroup] | None = data.get("target_groups")
    if groups is not None:
        application.target_groups.set(list(groups))


def application_update_draft(
    *,
    application: Application,
    acting_user: Any,
    data: dict[str, Any],
    focus_areas: Iterable[FocusArea] | None = None,
) -> Application:
    # Compare with the stored row: a ModelForm has already copied its input onto the instance.
    stored = Application.objects.filter(pk=application.pk).values(*DRAFT_FIELDS).get()
    changed = [k for k in DRAFT_FIELDS if k in data and stored[k] != data[k]]
    for key in changed:
        setattr(application, key, data[key])
    application.full_clean(exclude=["case_number", "municipality"])
    with transaction.atomic():
        if changed:
            _stamp(application, acting_user).save(update_fields=[*changed, "updated_at"])
        if focus_areas is not None:
            application.focus_areas.set(list(focus_areas))
        _set_target_groups(application, data)
    return application


def budget_lines_replace(
    *, application: Application, acting_user: Any, lines: list[tuple[str, Decimal]]
) -> None:
    """Make the budget lines exactly ``lines``, changing only what differs (history stays readable)."""
    existing = list(application.budget_lines.all())
    with transaction.atomic():
        for position, (description, amount) in enumerate(lines):
            if position < len(existing):
                line = existing[position]
                if (line.description, line.amount, line.position) == (
                    description,
                    amount,
                    position,
                ):
                    continue
                line.description, line.amount, line.position = description, amount, position
            else:
                line = BudgetLine(
                    application=application,
                    description=description,
                    amount=amount,
                    position=position,
                )
            _stamp(line, acting_user).save()
        for line in existing[len(lines) :]:
            _stamp(line, acting_user).delete()


def attachment_add(
    *,
    application: Application,
    acting_user: Any,
    kind: str,
    upload: UploadedFile,
    content_type: str,
) -> Attachment:
    """Store one checked upload (``check_upload``) on the application, within its limits
    (``upload_quota``), checked again here with the case row locked."""
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        upload_quota.check_room(application, [upload.size or 0])
        return _attachment_store(
            application=application,
            acting_user=acting_user,
            kind=kind,
            upload=upload,
            content_type=content_type,
        )


def _attachment_store(
    *,
    application: Application,
    acting_user: Any,
    kind: str,
    upload: UploadedFile,
    content_type: str,
) -> Attachment:
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=(upload.name or "file")[:255],
        size=upload.size or 0,
        content_type=content_type,
        uploaded_by=acting_user,
    )
    attachment.file.save(_safe_name(upload.name or "file"), upload, save=False)
    _stamp(attachment, acting_user).save()
    return attachment


def attachment_remove(*, attachment: Attachment, acting_user: Any) -> None:
    stored = attachment.file.name
    storage = attachment.file.storage
    with transaction.atomic():
        _stamp(attachment, acting_user).delete()
        transaction.on_commit(lambda: storage.delete(stored))


def _safe_name(name: str) -> str:
    import os
    import re

    base = os.path.basename(name.replace("\\", "/"))
    stem, ext = os.path.splitext(base)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:80] or "file"
    ext = re.sub(r"[^A-Za-z0-9.]+", "", ext)[:10].lower()
    return f"{stem}{ext}"
