"""When a case and its documents are handed to the journal: connected in ``CasesConfig.ready``.

A step of a case that makes it a case (submission, a paper application's registration) or
changes it (every later step: the status in the ESDH follows) schedules the case; a new
document schedules itself; a letter when its PDF is printed. The hand-over's own events
(flow ``handover``) schedule nothing, or each would schedule the next.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from cases.handover import runner
from cases.handover.journal import journal_enabled
from cases.models import (
    Application,
    Attachment,
    Document,
    FileNote,
    HandoverObject,
    HearingAttachment,
    ReceivedDocument,
    ReportAttachment,
    TransitionRecord,
)

K = HandoverObject


def _on_record(sender: Any, instance: TransitionRecord, created: bool, **kwargs: Any) -> None:
    if not created or instance.flow == runner.FLOW or not journal_enabled():
        return
    # The record was made with the case its transition holds locked: no need to read it again.
    application: Application | None
    if TransitionRecord.application.is_cached(instance):
        application = instance.application
    else:
        application = Application.objects.filter(pk=instance.application_id).first()
    if application is not None:
        runner.schedule_case(application)


def _document(kind: str, application_of: Any) -> Any:
    def receiver(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        if not journal_enabled():
            return
        if kind == K.LETTER and not instance.pdf:
            return  # handed over when printed (that save comes here again)
        if kind != K.LETTER and not created:
            return
        application = Application.objects.filter(pk=application_of(instance)).first()
        if application is not None:
            runner.schedule_object(application, kind, instance.pk)

    return receiver


_RECEIVERS = [
    (Document, _document(K.LETTER, lambda d: d.application_id)),
    (Attachment, _document(K.ATTACHMENT, lambda a: a.application_id)),
    (ReceivedDocument, _document(K.RECEIVED, lambda d: d.application_id)),
    (ReportAttachment, _document(K.REPORT_ATTACHMENT, lambda a: a.report.application_id)),
    (HearingAttachment, _document(K.HEARING_ATTACHMENT, lambda a: a.hearing.application_id)),
    (FileNote, _document(K.FILE_NOTE, lambda n: n.application_id)),
]


def connect() -> None:
    post_save.connect(_on_record, sender=TransitionRecord, dispatch_uid="handover-record")
    for model, receiver in _RECEIVERS:
        post_save.connect(
            receiver, sender=model, weak=False, dispatch_uid=f"handover-{model.__name__}"
        )
