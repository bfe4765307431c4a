"""What one application may hold: a number of attachments and a total size.

Counted together: the application's own attachments, its usage reports' and the
documents received on it after submission (``cases.services.case_documents``). Both limits
are settings (``PULJEFLOW_MAX_ATTACHMENTS``, ``PULJEFLOW_MAX_ATTACHMENT_BYTES``), and
together they bound what a case's export can hold. The applicant's screen, the staff's
screen for a paper application, the API and the usage report all call ``check_room``;
``attachment_add`` checks again with the case row locked, so two uploads at once cannot
both take the last place.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from cases.models import Application, Attachment, ReceivedDocument, ReportAttachment


def usage(application: Application) -> tuple[int, int]:
    """How many attachments the application holds, and their total size in bytes."""
    count, size = 0, 0
    for model, field in (
        (Attachment, "application"),
        (ReportAttachment, "report__application"),
        (ReceivedDocument, "application"),  # documents received after submission
    ):
        row = model.objects.filter(**{field: application}).aggregate(
            n=Count("pk"), total=Sum("size")
        )
        count += row["n"] or 0
        size += row["total"] or 0
    return count, size


def check_room(application: Application, sizes: Iterable[int]) -> None:
    """Refuse new files that would take the application over either limit."""
    sizes = list(sizes)
    if not sizes:
        return
    count, size = usage(application)
    most = settings.PULJEFLOW_MAX_ATTACHMENTS
    if count + len(sizes) > most:
        raise ValidationError(
            _(
                "The application already has %(count)s attachments, and at most %(most)s "
                "are allowed. Remove an attachment you no longer need, or gather several "
                "documents in one PDF, and retry."
            )
            % {"count": count, "most": most},
            code="too_many_attachments",
        )
    limit = settings.PULJEFLOW_MAX_ATTACHMENT_BYTES
    if size + sum(sizes) > limit:
        raise ValidationError(
            _(
                "The application's attachments would total %(size)s MB, and at most "
                "%(limit)s MB are allowed. Remove an attachment you no longer need, or "
                "make the file smaller, and retry."
            )
            % {
                "size": f"{(size + sum(sizes)) / 1_048_576:.1f}",
                "limit": f"{limit / 1_048_576:.0f}",
            },
            code="attachments_too_large",
        )
