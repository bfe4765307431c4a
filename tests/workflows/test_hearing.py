"""The hearing (partshøring, fvl. § 19): start, answer, end; expiry from beat; the reminder;
and the rule that an adverse decision needs a completed hearing or a recorded exception.

Who may take each transition, and from which states, is in test_transition_permissions.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import override

from cases.errors import ConditionsUnmet, InvalidInput, TransitionNotPermitted
from cases.models import Application, Hearing, HearingAttachment, HearingOutcome
from cases.trail.history import system_user
from notifications.models import Kind, Notification
from notifications.reminders.engine import run_reminders
from workflows.engine import perform
from workflows.tasks import end_expired_hearings_now

from ..conftest import NO_HEARING, PDF, report_data
from .support import S, assert_recorded, reach, records_of, snapshot

FACTS = "Ifølge CVR-registret har foreningen ingen bestyrelse."


def start(application: Application, world: SimpleNamespace, **data: Any) -> Application:
    return perform(application, "start_hearing", user=world.carl, **{"facts": FACTS, **data})


def pdf(name: str = "svar.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


# --- start_hearing ----------------------------------------------------------------------------


def test_carl_starts_a_hearing_with_the_municipality_s_days_and_anna_is_told(
    world: SimpleNamespace, draft: Application
) -> None:
    world.roskilde.hearing_days = 10
    world.roskilde.save()
    submitted = reach(draft, world, S.SUBMITTED)
    before = len(records_of(submitted))

    heard = start(submitted, world, concerns="Udskrift fra CVR af 3. januar")

    hearing = Hearing.objects.get(application=heard)
    due = timezone.localdate() + timedelta(days=10)
    assert (hearing.facts, hearing.deadline, hearing.return_state) == (FACTS, due, S.SUBMITTED)
    assert (hearing.started_by, hearing.outcome) == (world.carl, "")
    assert_recorded(
        heard,
        records_before=before,
        transition="start_hearing",
        from_state=S.SUBMITTED,
        to_state=S.IN_HEARING,
        actor=world.carl,
        role="case_officer",
        reason=FACTS,
        payload={
            "hearing": hearing.pk,
            "concerns": "Udskrift fra CVR af 3. januar",
            "deadline": due.isoformat(),
            "returns_to": S.SUBMITTED,
        },
    )
    told = Notification.objects.get(kind=Kind.HEARING_STARTED, recipient=world.anna)
    assert told.is_legal_notice
    assert FACTS in told.body_text


def test_a_deadline_given_is_kept(world: SimpleNamespace, draft: Application) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    due = timezone.localdate() + timedelta(days=3)

    start(submitted, world, deadline=due.isoformat())

    assert Hearing.objects.get().deadline == due


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"facts": ""}, "facts", "Write the facts the association is to comment on"),
        ({"facts": "   "}, "facts", "Write the facts the association is to comment on"),
        ({"deadline": "today"}, "deadline", "The deadline must be after today"),
        ({"deadline": "yesterday"}, "deadline", "The deadline must be after today"),
        ({"deadline": "3/1/2027"}, "deadline", "Enter the deadline as YYYY-MM-DD."),
        ({"facts": "x" * 20_001}, "facts", "at most 20000 characters"),
    ],
    ids=["no-facts", "blank-facts", "deadline-today", "deadline-past", "bad-date", "too-long"],
)
def test_bad_input_to_start_hearing_is_refused_next_to_its_field(
    world: SimpleNamespace, draft: Application, data: dict[str, Any], field: str, message: str
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    today = timezone.localdate()
    days = {"today": today, "yesterday": today - timedelta(days=1)}
    if data.get("deadline") in days:
        data = {**data, "deadline": days[data["deadline"]].isoformat()}
    before = snapshot(submitted)

    with override("en"), pytest.raises(InvalidInput) as caught:
        start(submitted, world, **data)

    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field][0]
    assert snapshot(submitted) == before
    assert not Hearing.objects.exists()


# --- answer_hearing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source", [S.SUBMITTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED, S.REPORT_SUBMITTED]
)
def test_an_answer_returns_the_case_where_it_was(
    world: SimpleNamespace, draft: Application, source: str
) -> None:
    application = reach(draft, world, source)
    heard = start(application, world)
    before = len(records_of(heard))

    answered = perform(
        heard, "answer_hearing", user=world.anna, answer="Vi har en bestyrelse.", documents=[pdf()]
    )

    assert answered.status == source
    hearing = Hearing.objects.get()
    assert (hearing.outcome, hearing.answer, hearing.answered_by) == (
        HearingOutcome.ANSWERED,
        "Vi har en bestyrelse.",
        world.anna,
    )
    attachment = HearingAttachment.objects.get()
    assert (attachment.original_name, attachment.hearing) == ("svar.pdf", hearing)
    assert attachment.file.read() == PDF
    assert_recorded(
        answered,
        records_before=before,
        transition="answer_hearing",
        from_state=S.IN_HEARING,
        to_state=source,
        actor=world.anna,
        role="applicant",
        reason="Vi har en bestyrelse.",
        payload={"hearing": hearing.pk, "attachments": [{"name": "svar.pdf", "size": len(PDF)}]},
    )
    told = Notification.objects.get(kind=Kind.HEARING_ANSWERED)
    assert told.recipient == world.carl


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"answer": ""}, "answer", "Write your answer to the hearing."),
        (
            {"documents": [SimpleUploadedFile("svar.exe", b"MZ\x90\x00", "application/pdf")]},
            "documents",
            "program",
        ),
        (
            {"documents": [SimpleUploadedFile("svar.pdf", b"not a pdf", "application/pdf")]},
            "documents",
            "not a PDF file",
        ),
        ({"documents": ["svar.pdf"]}, "documents", "Send the documents as files."),
        ({"documents": "big"}, "documents", "the limit is"),
        # The same field as an answer to a question (workflows.inputs.DocumentFiles).
        ({"documents": "eleven"}, "documents", "Send at most 10 documents at a time."),
    ],
    ids=["no-answer", "program", "wrong-type", "not-a-file", "too-big", "too-many"],
)
def test_bad_input_to_answer_hearing_is_refused_and_nothing_is_stored(
    world: SimpleNamespace,
    draft: Application,
    settings: Any,
    data: dict[str, Any],
    field: str,
    message: str,
) -> None:
    heard = start(reach(draft, world, S.SUBMITTED), world)
    if data.get("documents") == "big":
        settings.PULJEFLOW_MAX_UPLOAD_BYTES = 100
        data = {"documents": [pdf()]}
    if data.get("documents") == "eleven":
        data = {"documents": [pdf(f"svar-{n}.pdf") for n in range(11)]}
    before = snapshot(heard)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(heard, "answer_hearing", user=world.anna, **{"answer": "Svar", **data})

    assert list(caught.value.errors) == [field]
    assert message in " ".join(caught.value.errors[field])
    assert snapshot(heard) == before
    assert Hearing.objects.get().outcome == ""
    assert not HearingAttachment.objects.exists()


def test_an_answer_may_not_take_the_case_over_its_attachment_quota(
    world: SimpleNamespace, draft: Application, settings: Any
) -> None:
    heard = start(reach(draft, world, S.SUBMITTED), world)
    settings.PULJEFLOW_MAX_ATTACHMENTS = 0

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(heard, "answer_hearing", user=world.anna, answer="Svar", documents=[pdf()])

    assert "at most 0" in caught.value.errors["documents"][0]


# --- end_hearing ---------------------------------------------------------------------------------


def test_carl_withdraws_a_hearing_before_its_deadline(
    world: SimpleNamespace, draft: Application
) -> None:
    heard = start(reach(draft, world, S.IN_COUNCIL_REVIEW), world)

    ended = perform(heard, "end_hearing", user=world.carl, reason="Oplysningen var forkert.")

    assert ended.status == S.IN_COUNCIL_REVIEW
    assert Hearing.objects.get().outcome == HearingOutcome.WITHDRAWN
    assert records_of(ended)[-1].payload["outcome"] == "withdrawn"
    told = Notification.objects.get(kind=Kind.HEARING_ENDED)
    assert told.recipient == world.anna  # withdrawn: the case officers need no notice


def test_beat_ends_an_expired_hearing_as_the_system_and_tells_both_sides(
    world: SimpleNamespace, draft: Application
) -> None:
    heard = start(reach(draft, world, S.RECOMMENDED), world)
    deadline = Hearing.objects.get().deadline

    assert end_expired_hearings_now() == 0  # not yet: the deadline's own day is still open
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert end_expired_hearings_now() == 1
        assert end_expired_hearings_now() == 0  # safe to run twice

    heard.refresh_from_db()
    assert heard.status == S.RECOMMENDED
    hearing = Hearing.objects.get()
    assert (hearing.outcome, hearing.ended_by) == (HearingOutcome.EXPIRED, system_user())
    record = records_of(heard)[-1]
    assert (record.transition, record.role, record.actor) == (
        "end_hearing",
        "system",
        system_user(),
    )
    assert record.payload["deadline"] == deadline.isoformat()
    recipients = set(
        Notification.objects.filter(kind=Kind.HEARING_ENDED).values_list("recipient", flat=True)
    )
    assert recipients == {world.anna.pk, world.carl.pk}


def test_the_system_cannot_end_a_hearing_before_its_deadline(
    world: SimpleNamespace, draft: Application
) -> None:
    heard = start(reach(draft, world, S.SUBMITTED), world)

    with override("en"), pytest.raises(ConditionsUnmet, match="has not passed"):
        perform(heard, "end_hearing", user=system_user())

    assert Hearing.objects.get().outcome == ""


def test_an_active_user_named_system_is_no_system(
    world: SimpleNamespace, draft: Application
) -> None:
    heard = start(reach(draft, world, S.SUBMITTED), world)
    impostor = world.bo
    impostor.username = "system"

    with pytest.raises(TransitionNotPermitted):
        perform(heard, "end_hearing", user=impostor)


# --- the reminder ----------------------------------------------------------------------------------


def test_the_reminder_is_sent_once_three_days_before_the_deadline(
    world: SimpleNamespace, draft: Application
) -> None:
    start(reach(draft, world, S.SUBMITTED), world)  # 14 days
    now = timezone.now()

    assert run_reminders(now + timedelta(days=10))["hearing_reminder"] == 0
    assert run_reminders(now + timedelta(days=11))["hearing_reminder"] == 1
    assert run_reminders(now + timedelta(days=12))["hearing_reminder"] == 0

    reminder = Notification.objects.get(kind=Kind.HEARING_REMINDER)
    assert reminder.recipient == world.anna
    assert FACTS in reminder.body_text


def test_an_answered_hearing_gets_no_reminder(world: SimpleNamespace, draft: Application) -> None:
    heard = start(reach(draft, world, S.SUBMITTED), world)
    perform(heard, "answer_hearing", user=world.anna, answer="Svar")

    assert run_reminders(timezone.now() + timedelta(days=12))["hearing_reminder"] == 0


# --- the association withdraws its application during a hearing -------------------------------------


def test_anna_withdraws_during_a_hearing_which_ends_with_the_case(
    world: SimpleNamespace, draft: Application
) -> None:
    heard = start(reach(draft, world, S.IN_COUNCIL_REVIEW), world)
    before = len(records_of(heard))

    withdrawn = perform(heard, "withdraw", user=world.anna, reason="Vi har fået fondsmidler.")

    assert withdrawn.status == S.WITHDRAWN
    hearing = Hearing.objects.get()
    assert (hearing.outcome, hearing.ended_by) == (HearingOutcome.CASE_WITHDRAWN, world.anna)
    assert hearing.ended_at is not None
    assert not hearing.is_open
    assert_recorded(
        withdrawn,
        records_before=before,
        transition="withdraw",
        from_state=S.IN_HEARING,
        to_state=S.WITHDRAWN,
        actor=world.anna,
        role="applicant",
        reason="Vi har fået fondsmidler.",
        payload={"hearing": hearing.pk},
    )
    # Nothing is left to decide: no reminder, and beat does not end the hearing later.
    assert run_reminders(timezone.now() + timedelta(days=12))["hearing_reminder"] == 0
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert end_expired_hearings_now() == 0
    assert Hearing.objects.get().outcome == HearingOutcome.CASE_WITHDRAWN
    assert not Notification.objects.filter(kind=Kind.HEARING_ENDED).exists()


def test_a_case_heard_on_its_usage_report_cannot_be_withdrawn(
    world: SimpleNamespace, draft: Application
) -> None:
    heard = start(reach(draft, world, S.REPORT_SUBMITTED), world)
    before = snapshot(heard)

    with override("en"), pytest.raises(ConditionsUnmet, match="has been decided"):
        perform(heard, "withdraw", user=world.anna)

    assert snapshot(heard) == before
    assert Hearing.objects.get().outcome == ""


def test_a_granted_case_heard_on_its_report_still_counts_against_the_pool(
    world: SimpleNamespace, draft: Application
) -> None:
    from workflows.meetings import granted_in_round

    heard = start(reach(draft, world, S.REPORT_SUBMITTED), world)
    other = Application(round=heard.round, pk=0)  # what the round has granted beside it

    assert heard.granted_amount and granted_in_round(other) == heard.granted_amount


# --- § 19: adverse decisions ------------------------------------------------------------------------

SECTION_19 = "forvaltningsloven § 19"


def _answered(application: Application, world: SimpleNamespace) -> Application:
    heard = start(application, world)
    return perform(heard, "answer_hearing", user=world.anna, answer="Vi har en bestyrelse.")


def _expired(application: Application, world: SimpleNamespace) -> Application:
    start(application, world)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        end_expired_hearings_now()
    application.refresh_from_db()
    return application


def _reject(world: SimpleNamespace, application: Application, **data: Any) -> Application:
    return perform(application, "reject", user=world.carl, reason="Ikke socialt arbejde", **data)


def _refuse(world: SimpleNamespace, application: Application, **data: Any) -> Application:
    return perform(
        application, "decide", user=world.frida, outcome="refuse", reason="Puljen er brugt", **data
    )


def _cut(world: SimpleNamespace, application: Application, **data: Any) -> Application:
    return perform(
        application,
        "decide",
        user=world.frida,
        outcome="grant",
        amount="20000",
        reason="Som indstillet",
        **data,
    )


def _quick_refuse(world: SimpleNamespace, application: Application, **data: Any) -> Application:
    return perform(
        application, "decide_directly", user=world.carl, outcome="refuse", reason="Nej", **data
    )


def _claim(world: SimpleNamespace, application: Application, **data: Any) -> Application:
    return perform(application, "approve_report", user=world.carl, settlement="repayment", **data)


def _quick_pool(world: SimpleNamespace, draft: Application) -> Application:
    world.round.flow = "quick_pool"
    world.round.save()
    return reach(draft, world, S.SUBMITTED)


def _underspent(world: SimpleNamespace, draft: Application) -> Application:
    paid = reach(draft, world, S.PAID)
    spent = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    return perform(paid, "submit_report", user=world.anna, **spent)


ADVERSE = {
    "reject": (lambda world, draft: reach(draft, world, S.SUBMITTED), _reject, S.INELIGIBLE),
    "decide-refuse": (lambda world, draft: reach(draft, world, S.RECOMMENDED), _refuse, S.REFUSED),
    "decide-partial": (lambda world, draft: reach(draft, world, S.RECOMMENDED), _cut, S.GRANTED),
    "decide-directly": (_quick_pool, _quick_refuse, S.REFUSED),
    "approve-report-claim": (_underspent, _claim, S.CLOSED),
}


@pytest.mark.parametrize("case", list(ADVERSE))
def test_an_adverse_decision_without_hearing_or_exception_is_refused_naming_section_19(
    world: SimpleNamespace, draft: Application, case: str
) -> None:
    build, act, _target = ADVERSE[case]
    application = build(world, draft)
    before = snapshot(application)

    with override("en"), pytest.raises(InvalidInput) as caught:
        act(world, application)

    assert list(caught.value.errors) == ["hearing_exception"]
    assert SECTION_19 in caught.value.errors["hearing_exception"][0]
    assert snapshot(application) == before


@pytest.mark.parametrize("case", list(ADVERSE))
def test_an_adverse_decision_with_a_reasoned_exception_is_recorded(
    world: SimpleNamespace, draft: Application, case: str
) -> None:
    build, act, target = ADVERSE[case]
    application = build(world, draft)

    done = act(world, application, hearing_exception="stk2_nr1", hearing_exception_reason="Klart")

    assert done.status == target
    assert records_of(done)[-1].payload["hearing"] == {
        "kind": "exception",
        "ground": "stk2_nr1",
        "reason": "Klart",
    }


@pytest.mark.parametrize("case", list(ADVERSE))
def test_an_exception_needs_its_reason(
    world: SimpleNamespace, draft: Application, case: str
) -> None:
    build, act, _target = ADVERSE[case]
    application = build(world, draft)

    with override("en"), pytest.raises(InvalidInput) as caught:
        act(world, application, hearing_exception="own_information")

    assert caught.value.errors == {
        "hearing_exception_reason": ["Say why the ground applies to this case."]
    }


def test_an_unknown_ground_is_refused(world: SimpleNamespace, draft: Application) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    with override("en"), pytest.raises(InvalidInput) as caught:
        _reject(world, submitted, hearing_exception="stk2_nr9", hearing_exception_reason="x")

    assert caught.value.errors == {"hearing_exception": ["Choose one of the grounds listed."]}


@pytest.mark.parametrize(("completed", "answered"), [(_answered, True), (_expired, False)])
@pytest.mark.parametrize("case", list(ADVERSE))
def test_an_adverse_decision_after_a_completed_hearing_records_it(
    world: SimpleNamespace, draft: Application, case: str, completed: Any, answered: bool
) -> None:
    build, act, target = ADVERSE[case]
    application = completed(build(world, draft), world)
    hearing = Hearing.objects.get()

    with time_machine.travel(timezone.now() + timedelta(days=16)):
        done = act(world, application)

    assert done.status == target
    ended = timezone.localdate(hearing.ended_at or timezone.now())
    hearing.refresh_from_db()
    assert records_of(done)[-1].payload["hearing"] == {
        "kind": "held",
        "hearing": hearing.pk,
        "answered": answered,
        "ended_on": timezone.localdate(hearing.ended_at).isoformat(),
    }
    assert isinstance(ended, date)


def test_a_withdrawn_hearing_does_not_count(world: SimpleNamespace, draft: Application) -> None:
    heard = start(reach(draft, world, S.SUBMITTED), world)
    submitted = perform(heard, "end_hearing", user=world.carl)

    with pytest.raises(InvalidInput):
        _reject(world, submitted)


def test_a_hearing_before_the_report_does_not_cover_a_repayment_claim(
    world: SimpleNamespace, draft: Application
) -> None:
    _answered(reach(draft, world, S.SUBMITTED), world)
    reported = _underspent(world, Application.objects.get(pk=draft.pk))

    with pytest.raises(InvalidInput):
        _claim(world, reported)


def test_a_grant_in_full_needs_neither(world: SimpleNamespace, draft: Application) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)

    granted = perform(
        recommended, "decide", user=world.frida, outcome="grant", amount="25000", reason=""
    )

    assert granted.status == S.GRANTED
    assert "hearing" not in records_of(granted)[-1].payload


def test_an_approval_without_a_claim_needs_neither(
    world: SimpleNamespace, draft: Application
) -> None:
    closed = reach(draft, world, S.CLOSED)

    assert "hearing" not in records_of(closed)[-1].payload


def test_exception_fields_are_offered_on_every_adverse_transition() -> None:
    from workflows.engine import input_form

    for name in ("reject", "decide", "decide_directly", "approve_report"):
        assert {"hearing_exception", "hearing_exception_reason"} <= set(
            input_form(name).base_fields
        )
    assert NO_HEARING["hearing_exception"] == "own_information"


def test_the_case_file_holds_the_hearing_and_its_files(
    world: SimpleNamespace, draft: Application
) -> None:
    import io
    import json
    import zipfile

    from cases.documents.exports import case_file_zip

    heard = start(reach(draft, world, S.SUBMITTED), world)
    perform(heard, "answer_hearing", user=world.anna, answer="Svar", documents=[pdf()])
    target = io.BytesIO()

    case_file_zip(Application.objects.get(pk=draft.pk), target)

    archive = zipfile.ZipFile(target)
    names = archive.namelist()
    assert any("hearing-attachments/" in n and n.endswith("svar.pdf") for n in names)
    hearings = json.loads(archive.read(next(n for n in names if n.endswith("hearings.json"))))
    assert [(h["facts"], h["answer"], h["outcome"]) for h in hearings] == [
        (FACTS, "Svar", "answered")
    ]
    assert hearings[0]["answered_at"][-6:] in ("+01:00", "+02:00")  # Copenhagen local time


def test_the_grounds_paraphrase_section_19_in_danish() -> None:
    """The statute's own words (forvaltningsloven § 19, stk. 2; LBK nr. 433 af 22/04/2014)."""
    from workflows.hearing import HearingException

    with override("da"):
        labels = {code: str(label) for code, label in HearingException.CHOICES}
    assert "bekendt med, at kommunen er i besiddelse af" in labels["own_information"]
    assert (
        "oplysningernes eller vurderingernes karakter og sagens beskaffenhed" in labels["stk2_nr1"]
    )
    assert "ubetænkeligt at træffe afgørelse på det foreliggende grundlag" in labels["stk2_nr1"]
    assert "lovbestemt frist for sagens afgørelse" in labels["stk2_nr2"]
    assert "underretning af foreningen vil være uforenelig med formålet" in labels["stk2_nr3"]
    assert "effektive gennemførelse" in labels["stk2_nr3"]
    assert "bør vige for afgørende hensyn til offentlige eller private" in labels["stk2_nr4"]
    assert "forvaltningslovens kapitel 4" in labels["stk2_nr4"]
    assert "særlige bestemmelser i lovgivningen" in labels["stk2_nr5"]
