"""Rounds created and edited in the screens (issue 17): valid input saves the round and its
focus areas, conditions and criteria; each error is shown beside its field; the basis of
the assessment is fixed once applications are submitted; only the municipality's case
officers and managers may. And the payouts page's totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.formatting import money
from cases.models import GrantRound, Payout, Role, RoundCriterion
from cases.services.rounds import round_save
from tests.conftest import advance
from tests.factories import ApplicationFactory, UserFactory, give_role
from workflows import engine

pytestmark = pytest.mark.django_db


def _management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }


def _data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "municipality": str(world.roskilde.pk),
        "name": "Foreningspuljen 2028",
        "scheme": "s18",
        "purpose": "Frivilligt socialt arbejde",
        "criteria_scoring": "score",
        "opens_at": "2027-09-01T08:00",
        "deadline": "2027-10-01T12:00",
        "council_meeting_date": "2027-11-01",
        "committee_meeting_date": "2027-11-20",
        "report_deadline": "2028-12-31",
        "pool_amount": "250.000,00",
        "ceiling_per_application": "",
        "required_attachments": ["budget", "bylaws"],
        **_management("focus_areas", 1),
        "focus_areas-0-name": "Ensomhed",
        **_management("conditions", 1),
        "conditions-0-position": "1",
        "conditions-0-text": "Foreningen har hjemsted i kommunen",
        "conditions-0-help_text": "",
        **_management("criteria", 2),
        "criteria-0-position": "2",
        "criteria-0-title": "Når aktiviteten nye frivillige?",
        "criteria-0-help_text": "",
        "criteria-1-position": "1",
        "criteria-1-title": "Er målgruppen sårbar?",
        "criteria-1-help_text": "",
    }
    data.update(overrides)
    return data


def test_a_case_officer_creates_a_round_with_its_criteria_in_order(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    response = client.post(reverse("rounds:round_new"), _data(world))

    assert response.status_code == 302, response.content.decode()[:3000]
    created = GrantRound.objects.get(name="Foreningspuljen 2028")
    assert response["Location"] == reverse("inbox:round_inbox", args=[created.pk])
    assert created.municipality == world.roskilde
    assert created.pool_amount == Decimal("250000.00")
    assert created.required_attachments == ["budget", "bylaws"]
    assert [c.title for c in created.criteria.all()] == [
        "Er målgruppen sårbar?",
        "Når aktiviteten nye frivillige?",
    ]
    assert [f.name for f in created.focus_areas.all()] == ["Ensomhed"]
    assert created.conditions.count() == 1
    assert created.history.first().history_user == world.carl  # the record of the change


def test_the_form_draws_for_a_case_officer(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    page = client.get(reverse("rounds:round_new"))
    assert page.status_code == 200
    assert 'name="criteria-TOTAL_FORMS"' in page.content.decode()
    page = client.get(reverse("rounds:round_edit", args=[world.round.pk]))
    assert page.status_code == 200 and world.round.name in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deadline", "2027-08-01T12:00", "Ansøgningsfristen skal ligge efter"),
        ("pool_amount", "0", "Puljen skal være på mere end 0 kr."),
        ("pool_amount", "mange penge", ""),  # the amount field's own message
        ("council_meeting_date", "2027-09-15", "Frivillighedsrådets møde skal ligge efter"),
        ("committee_meeting_date", "2027-10-20", "Udvalgets møde skal ligge efter rådets"),
        ("report_deadline", "2027-09-30", "Fristen for afrapportering skal ligge efter"),
        ("ceiling_per_application", "300.000", "højst puljens beløb"),
        ("name", "", "Dette felt er påkrævet"),
        ("opens_at", "i morgen", ""),
    ],
)
def test_each_error_is_shown_beside_its_field(
    world: Any, client: Any, field: str, value: str, message: str
) -> None:
    client.force_login(world.carl)
    response = client.post(reverse("rounds:round_new"), _data(world, **{field: value}))

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not GrantRound.objects.filter(name="Foreningspuljen 2028").exists()


def test_two_criteria_in_the_same_position_are_refused(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    response = client.post(
        reverse("rounds:round_new"), _data(world, **{"criteria-1-position": "2"})
    )
    assert response.status_code == 400
    assert "To rækker har placeringen 2" in response.content.decode()


def test_editing_changes_the_dates_and_the_pool(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    url = reverse("rounds:round_edit", args=[world.round.pk])
    focus = list(world.round.focus_areas.order_by("pk"))
    data = _data(
        world,
        name=world.round.name,
        **_management("focus_areas", len(focus), len(focus)),
        **_management("conditions", 0),
        **_management("criteria", 0),
    )
    for i, area in enumerate(focus):
        data[f"focus_areas-{i}-id"] = str(area.pk)
        data[f"focus_areas-{i}-round"] = str(world.round.pk)
        data[f"focus_areas-{i}-name"] = area.name
    data["pool_amount"] = "400.000"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.round.refresh_from_db()
    assert world.round.pool_amount == Decimal("400000")
    assert world.round.focus_areas.count() == len(focus)


def test_after_a_submission_the_basis_of_the_assessment_is_fixed(
    world: Any, draft: Any, client: Any
) -> None:
    RoundCriterion.objects.create(round=world.round, position=1, title="Nye frivillige")
    engine.perform(draft, "submit", user=world.anna)

    with pytest.raises(ValidationError) as refused:
        round_save(
            acting_user=world.carl,
            municipality=world.roskilde,
            grant_round=world.round,
            fields={},
            children={"criteria": [{"id": None, "position": 2, "title": "Ny", "help_text": ""}]},
        )
    assert "grundlaget" in refused.value.message_dict["criteria"][0]
    with pytest.raises(ValidationError) as refused:
        round_save(
            acting_user=world.carl,
            municipality=world.roskilde,
            grant_round=world.round,
            fields={"criteria_scoring": "verdict"},
        )
    assert "criteria_scoring" in refused.value.message_dict
    # The pool may still change.
    round_save(
        acting_user=world.carl,
        municipality=world.roskilde,
        grant_round=world.round,
        fields={"pool_amount": Decimal("500000")},
    )
    assert RoundCriterion.objects.filter(round=world.round).count() == 1

    client.force_login(world.carl)
    page = client.get(reverse("rounds:round_edit", args=[world.round.pk])).content.decode()
    assert 'id="basis-locked"' in page and "grundlaget for vurderingen" in page
    assert 'name="criteria-0-title"' in page and "disabled" in page


@pytest.mark.parametrize("who", ["anna", "dorte", "erik", "frida", "gustav"])
def test_only_case_officers_and_managers_create_or_edit_rounds(
    world: Any, client: Any, who: str
) -> None:
    client.force_login(getattr(world, who))
    assert client.post(reverse("rounds:round_new"), _data(world)).status_code == 403
    expected = 404 if who == "anna" else 403
    assert client.get(reverse("rounds:round_edit", args=[world.round.pk])).status_code == expected
    with pytest.raises(PermissionDenied):
        round_save(
            acting_user=getattr(world, who),
            municipality=world.roskilde,
            fields={"name": "X"},
        )
    assert not GrantRound.objects.filter(name="Foreningspuljen 2028").exists()


def test_a_manager_may_and_another_municipalitys_case_officer_may_not(
    world: Any, client: Any
) -> None:
    manager = UserFactory(username="maja")
    give_role(manager, world.roskilde, Role.MANAGER)
    client.force_login(manager)
    assert client.post(reverse("rounds:round_new"), _data(world)).status_code == 302
    client.force_login(world.helle)
    assert client.get(reverse("rounds:round_edit", args=[world.round.pk])).status_code == 404
    # Roskilde is not among helle's municipalities: the choice is refused beside the field.
    response = client.post(reverse("rounds:round_new"), _data(world, name="Y"))
    assert response.status_code == 400 and "municipality" in response.context["form"].errors


# --- payouts ------------------------------------------------------------------------------------


def _granted(world: Any, title: str) -> Any:
    application = ApplicationFactory(round=world.round, association=world.a, title=title)
    application.focus_areas.set([world.focus])
    return advance(application, world, "granted")


def test_the_payouts_page_shows_granted_paid_and_remaining(world: Any, client: Any) -> None:
    paid = engine.perform(
        _granted(world, "Betalt"), "pay", user=world.carl, amount="12000", reference="U-1"
    )
    unpaid = _granted(world, "Ubetalt")
    client.force_login(world.carl)
    response = client.get(reverse("after_grant:payouts"))
    page = response.content.decode()

    overview = response.context["rounds"][0]
    by_case = {a.case_number: a for a in overview.cases}
    assert by_case[paid.case_number].paid == Decimal("12000.00")
    assert by_case[paid.case_number].remaining == Decimal("8000.00")
    assert by_case[unpaid.case_number].remaining == Decimal("20000.00")
    assert overview.totals.granted == Decimal("40000.00")
    assert overview.totals.remaining == Decimal("28000.00")
    assert response.context["total"].paid == Decimal("12000.00")
    assert money(Decimal("28000")) in page and money(Decimal("8000")) in page


def test_the_payouts_page_is_for_staff_and_shows_only_their_municipality(
    world: Any, client: Any
) -> None:
    _granted(world, "Roskilde")
    client.force_login(world.anna)
    assert client.get(reverse("after_grant:payouts")).status_code == 403
    client.force_login(world.helle)
    assert client.get(reverse("after_grant:payouts")).context["rounds"] == []


def test_the_payouts_page_does_not_grow_with_the_number_of_cases(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    engine.perform(_granted(world, "A"), "pay", user=world.carl, amount="1000", reference="1")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("after_grant:payouts")).status_code == 200
        return len(captured)

    small = count()
    for n in range(3):
        engine.perform(
            _granted(world, f"B{n}"), "pay", user=world.carl, amount="500", reference=f"b{n}"
        )
    assert Payout.objects.count() == 4
    # session, user, staff roles with association ties, the granted cases with their paid
    # sums, rounds and associations (one query), the unread notifications (header); issue
    # 18's payment runs (one query) and the payouts waiting for one (a count per municipality)
    assert small == count() == 7
