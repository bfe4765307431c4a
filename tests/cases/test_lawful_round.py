"""A round handled as forvaltningsloven and offentlighedsloven ask, in one test.

Four applications through screening, a hearing answered with a file, a hearing that
expires, a § 19, stk. 2 exception, a case officer on an association's board replaced by
another, a council member's declared tie ruled by the council without them, a committee
that is not quorate and then decides 2–1 with a minority statement, a letter for every
kind of decision (their PDF text read back), and a request for access to documents
answered with a redacted export.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.documents.letters import letter_pdf
from cases.errors import ConditionsUnmet, TransitionNotPermitted
from cases.models import (
    Application,
    Body,
    Document,
    DocumentKind,
    Hearing,
    Role,
    RoundCondition,
    RoundCriterion,
    TransitionRecord,
)
from cases.roles import forget_profile
from cases.services import access_requests as access
from cases.services.meeting_prep import meeting_update
from cases.services.meetings import (
    agenda_add_all_ready,
    conflict_declare,
    conflict_rule,
    meeting_create,
)
from cases.trail.verify import verify_trail
from workflows import engine
from workflows.access_request import AccessRequestFlow
from workflows.tasks import end_expired_hearings_now

from ..conftest import NO_HEARING, report_data
from ..factories import PDF_BYTES, ApplicationFactory, UserFactory, give_role, tie
from .test_letters import pdf_text

pytestmark = pytest.mark.django_db

DECLARATION = "Min søster er formand for Besøgsvennerne."


def _act(application: Application, name: str, user: Any, **data: Any) -> Application:
    result = engine.perform(Application.objects.get(pk=application.pk), name, user=user, **data)
    forget_profile(user)
    return result


def _draft(world: SimpleNamespace, association: Any, title: str) -> Application:
    application = ApplicationFactory(round=world.round, association=association, title=title)
    application.focus_areas.set([world.focus])
    return application


def _letter(application: Application, kind: str, tmp_path: Any) -> str:
    document = letter_pdf(Document.objects.get(application=application, kind=kind))
    with document.pdf.open("rb") as pdf:
        return " ".join(pdf_text(pdf.read(), tmp_path).split())


def _record(application: Application, transition: str) -> TransitionRecord:
    return TransitionRecord.objects.filter(application=application, transition=transition).latest(
        "seq"
    )


def test_a_round_handled_as_the_law_asks(world: SimpleNamespace, tmp_path: Any) -> None:
    # The municipality has written no complaint guidance: the default names the routes.
    world.roskilde.complaint_guidance = ""
    world.roskilde.save(update_fields=["complaint_guidance"])
    # The round's rules: a condition of eligibility and two criteria the letters cite.
    condition = RoundCondition.objects.create(
        round=world.round, position=1, text="Foreningen er frivillig og lokalt forankret"
    )
    engagement = RoundCriterion.objects.create(
        round=world.round, position=1, title="Frivilligt engagement"
    )
    RoundCriterion.objects.create(round=world.round, position=2, title="Forebyggelse af ensomhed")
    # A second case officer; the committee's two members; a third council member.
    kim, lis, mads, svend = (
        UserFactory(username=n, first_name=n.capitalize()) for n in ("kim", "lis", "mads", "svend")
    )
    give_role(kim, world.roskilde, Role.CASE_OFFICER)
    give_role(lis, world.roskilde, Role.COMMITTEE_MEMBER)
    give_role(mads, world.roskilde, Role.COMMITTEE_MEMBER)
    give_role(svend, world.roskilde, Role.COUNCIL_MEMBER)
    # carl sits on Besøgsvennerne's board: disqualified on its cases.
    tie(world.carl, world.b, represents=False, board=True)
    forget_profile(world.carl)

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        heard, expired, excepted = (
            _act(_draft(world, world.a, title), "submit", world.anna)
            for title in ("Lektiecafé", "Sommerlejr", "Fællesspisning")
        )
        visits = _act(_draft(world, world.b, "Besøgsven"), "submit", world.bo)

        # 1. Hearings: one answered with a file, one left to expire.
        heard = _act(heard, "start_hearing", world.carl, facts="CVR viser 3 medlemmer.")
        heard = _act(
            heard,
            "answer_hearing",
            world.anna,
            answer="Vi er 40 medlemmer; CVR er ikke opdateret.",
            documents=[SimpleUploadedFile("medlemsliste.pdf", PDF_BYTES, "application/pdf")],
        )
        assert heard.status == "submitted"
        assert Hearing.objects.get(application=heard).attachments.count() == 1
        expired = _act(expired, "start_hearing", world.carl, facts="Lejren ligger i Sverige.")
        assert expired.status == "in_hearing"

        # 2. carl is disqualified on Besøgsvennerne's case; kim, another case officer, acts.
        with pytest.raises(TransitionNotPermitted, match="forvaltningslovens § 3"):
            _act(visits, "accept", world.carl, reason="Opfylder betingelserne")
        for application in (heard, excepted):
            _act(application, "accept", world.carl, reason="Opfylder betingelserne")
        _act(visits, "accept", kim, reason="Opfylder betingelserne")
        assert _record(visits, "accept").actor_id_at_record == kim.pk

        # 3. The council: svend declares a tie to Besøgsvennerne; the council rules on it
        # at its meeting, without him. Nothing is recorded before the meeting's day.
        council = meeting_create(
            grant_round=world.round,
            body=Body.COUNCIL,
            date=(start + datetime.timedelta(days=3)).date(),
            members_present=[world.dorte, world.erik, svend],
            acting_user=world.carl,
        )
        agenda_add_all_ready(meeting=council, acting_user=world.carl)
        with pytest.raises(ConditionsUnmet):
            _act(heard, "recommend", world.erik, outcome="grant", meeting=council.pk)
        clock.move_to(start + datetime.timedelta(days=3, hours=2))
        declaration = conflict_declare(application=visits, member=svend, reason=DECLARATION)
        conflict_rule(
            declaration=declaration,
            acting_user=world.erik,
            conflicted=True,
            reason="Nær familie i bestyrelsen.",
            meeting=council,
        )
        ruling = _record(visits, "rule_conflict").payload
        assert ruling["ruled_by"] == "council" and ruling["meeting"] == council.pk
        assert svend.pk not in ruling["participants"] and world.erik.pk in ruling["participants"]
        for application, data in (
            (
                heard,
                {
                    "outcome": "partial",
                    "amount": "20000",
                    "reason": "Puljen er lille",
                    "criteria": [engagement.pk],  # cited in the letter's reasons
                },
            ),
            (excepted, {"outcome": "refuse", "reason": "Ligner et eksisterende tilbud."}),
            (visits, {"outcome": "grant"}),
        ):
            _act(application, "recommend", world.erik, meeting=council.pk, **data)
        assert svend.pk in _record(visits, "recommend").payload["conflicted"]

        # 4. The committee: only its chair present, so not quorate; then all three, 2–1.
        committee = meeting_create(
            grant_round=world.round,
            body=Body.COMMITTEE,
            date=(start + datetime.timedelta(days=5)).date(),
            members_present=[world.frida],
            acting_user=world.carl,
        )
        agenda_add_all_ready(meeting=committee, acting_user=world.carl)
        clock.move_to(start + datetime.timedelta(days=6))
        partial = {"outcome": "grant", "amount": "20000", "reason": "Afpasset puljen."}
        with pytest.raises(ConditionsUnmet, match="ikke beslutningsdygtigt"):
            _act(heard, "decide", world.frida, **partial)
        meeting_update(
            meeting=committee,
            date=committee.date,
            members_present=[world.frida, lis, mads],
            acting_user=world.carl,
        )
        minority = "Mads: Pengene bør gå til nye foreninger."
        heard = _act(
            heard,
            "decide",
            world.frida,
            **partial,
            unanimous=False,
            votes_for=2,
            votes_against=1,
            votes_abstaining=0,
            minority=minority,
        )
        decided = _record(heard, "decide").payload
        assert decided["vote"] == {"for": 2, "against": 1, "abstaining": 0, "unanimous": False}
        assert decided["minority"] == minority
        assert decided["hearing"]["kind"] == "held" and decided["hearing"]["answered"] is True
        # The decision carries the meeting's date, recorded a day later.
        assert decided["decision_date"] == committee.date.isoformat()
        assert heard.decision_date == committee.date
        # A refusal without a hearing needs a § 19, stk. 2 ground.
        with pytest.raises(Exception, match="19"):
            _act(excepted, "decide", world.frida, outcome="refuse", reason="Som indstillet.")
        excepted = _act(
            excepted,
            "decide",
            world.frida,
            outcome="refuse",
            reason="Som indstillet.",
            **NO_HEARING,
        )
        assert _record(excepted, "decide").payload["hearing"]["kind"] == "exception"
        visits = _act(visits, "decide", world.frida, outcome="grant")

        # 5. The expired hearing ends by itself; the case is rejected on a condition.
        clock.move_to(start + datetime.timedelta(days=15))
        assert end_expired_hearings_now() == 1
        expired = Application.objects.get(pk=expired.pk)
        assert expired.status == "submitted"
        expired = _act(
            expired,
            "reject",
            world.carl,
            reason="Aktiviteten er ikke lokalt forankret.",
            ground_conditions=[condition.pk],
        )
        assert _record(expired, "reject").payload["hearing"] == {
            "kind": "held",
            "hearing": Hearing.objects.get(application=expired).pk,
            "answered": False,
            "ended_on": timezone.localdate().isoformat(),
        }

        # 6. After the grant: a report returned, then approved with money to repay.
        visits = _act(visits, "pay", kim, amount="25000", reference="UDB-7")
        lines = [{"description": "Besøg", "spent": "15000"}]
        visits = _act(visits, "submit_report", world.bo, **report_data(lines=lines))
        visits = _act(visits, "return_report", kim, reason="Regnskabet mangler bilag.")
        visits = _act(visits, "submit_report", world.bo, **report_data(lines=lines))
        visits = _act(visits, "approve_report", kim, settlement="repayment", **NO_HEARING)
        assert visits.status == "closed"
        letter_day = timezone.localdate()

    # 7. A letter for every kind, read back from its PDF.
    with override("da"):
        date = formats.date_format(letter_day, "j. F Y")
        guidance = "Ombudsmand"
        letters = {
            DocumentKind.PARTIAL_GRANT: (
                heard,
                [
                    "20.000",
                    "Afpasset puljen.",
                    "partshøring",
                    "lægger vægt på dette af puljens kriterier: »Frivilligt engagement« "
                    "(kriterium 1).",
                    "1. Frivilligt engagement (indstillingen lægger vægt på dette kriterium)",
                ],
            ),
            DocumentKind.REFUSAL: (
                excepted,
                ["Som indstillet.", NO_HEARING["hearing_exception_reason"]],
            ),
            DocumentKind.GRANT: (visits, ["25.000"]),
            DocumentKind.REJECTION: (
                expired,
                [_("Your application is rejected without being considered"), condition.text],
            ),
            DocumentKind.REPORT_RETURNED: (visits, ["Regnskabet mangler bilag."]),
            DocumentKind.REPAYMENT_CLAIM: (visits, ["10.000", visits.case_number]),
        }
    for kind, (application, expected) in letters.items():
        text = _letter(application, kind, tmp_path)
        for snippet in expected:
            assert " ".join(snippet.split()) in text, (kind, snippet)
        if kind in (DocumentKind.PARTIAL_GRANT, DocumentKind.REFUSAL, DocumentKind.GRANT):
            assert "Frivilligt engagement" in text and "Forebyggelse af ensomhed" in text, kind
            # Only the criteria a recommendation cited are marked as cited.
            assert "Forebyggelse af ensomhed (indstillingen" not in text, kind
            if kind != DocumentKind.PARTIAL_GRANT:
                assert "lægger vægt på" not in text, kind
        if kind in (DocumentKind.PARTIAL_GRANT, DocumentKind.REFUSAL, DocumentKind.REJECTION):
            assert guidance in text, kind
    assert guidance not in _letter(visits, DocumentKind.GRANT, tmp_path)
    # Dated the day it was written, not the day the meeting was held.
    assert date in _letter(expired, DocumentKind.REJECTION, tmp_path)
    assert formats.date_format(committee.date, "j. F Y") != date

    # 8. A journalist asks for Besøgsvennerne's case; svend's declaration is left out.
    request = access.access_request_register(
        municipality=world.roskilde,
        acting_user=world.carl,
        requester_name="Jens Journalist",
        received_on=timezone.localdate(),
        scope="cases",
        text="Alle dokumenter i sagen om besøgsvenner",
        applications=[visits],
    )
    assert request.deadline > request.received_on
    request = engine.take(
        AccessRequestFlow,
        request,
        "access_decide",
        user=world.carl,
        decision="partial",
        reasons="Oplysninger om et rådsmedlems private forhold er undtaget.",
        complaint_guidance="I kan klage til kommunen.",
    )
    request = engine.take(
        AccessRequestFlow,
        request,
        "access_hand_out",
        user=world.carl,
        declarations="private",
        contact_details="",
        items=[],
    )
    with request.export.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as zipped:
        texts = [
            zipped.read(name).decode("utf-8", "replace")
            for name in zipped.namelist()
            if not name.endswith(".pdf")
        ]
    everything = "\n".join(texts)
    assert DECLARATION not in everything
    assert "Undtaget, offentlighedslovens § 30, nr. 1" in everything

    # 9. Every case's trail still verifies, hearings, rulings and access included.
    cases = Application.objects.filter(pk__in=[a.pk for a in (heard, expired, excepted, visits)])
    assert verify_trail(cases, scoped=True).problems == []
    assert Decimal(visits.granted_amount) == Decimal("25000")
