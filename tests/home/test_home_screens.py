""" "Mine opgaver": each role's items, counts and links; nothing of others' cases."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.formatting import money
from cases.models import (
    ApplicationStatus,
    Hearing,
    RepaymentClaim,
    TransitionRecord,
)
from cases.services import meetings as meeting_services
from cases.trail.models import TrailCheck
from tests.factories import ApplicationFactory, tie
from tests.home.scene import work
from workflows.engine import perform

pytestmark = pytest.mark.django_db

HOME = "/"


def page(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("home:home"))
    assert response.status_code == 200
    return response.content.decode()


def item(html: str, href: str) -> str:
    """The task item whose link is ``href``: its whole <li>."""
    found = re.search(
        rf'<li class="pf-task"[^>]*>(?:(?!</li>).)*?href="{re.escape(href)}".*?</li>', html, re.S
    )
    assert found, f"no item links to {href}"
    return found.group(0)


def count_of(fragment: str) -> int:
    return int(re.search(r'class="pf-task-count">(\d+)<', fragment).group(1))


@pytest.fixture
def scene(world: SimpleNamespace) -> SimpleNamespace:
    return work(world)


# --- landing ---------------------------------------------------------------------------------


def test_signing_in_lands_on_the_home(world: Any) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home") == HOME


def test_the_home_asks_for_a_sign_in(world: Any, client: Any) -> None:
    response = client.get(reverse("home:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_tasks_is_the_first_item_of_the_navigation(world: Any, client: Any) -> None:
    html = page(client, world.anna)
    nav = html[html.index('id="pf-main-nav"') :]
    first = re.search(r"<li><a href=\"([^\"]+)\"", nav)
    assert first and first.group(1) == reverse("home:home")
    assert 'id="nav-home" aria-current="page"' in html


def test_a_user_without_a_role_is_told_whom_to_ask(world: Any, client: Any) -> None:
    html = page(client, world.admin)
    assert "administrator" in html or "administrator" in html.lower()
    assert 'class="pf-home-section"' not in html


# --- the association -------------------------------------------------------------------------


def test_the_association_sees_each_kind_of_work_with_a_link_to_where_it_is_done(
    world: Any, client: Any, scene: Any
) -> None:
    html = page(client, world.anna)
    asked = item(
        html, reverse("applications:application_act", args=[scene.asked.pk, "provide_info"])
    )
    assert count_of(asked) == 1
    hearing = item(html, reverse("hearings:hearing_answer", args=[scene.heard.pk]))
    assert count_of(hearing) == 1
    deadline = Hearing.objects.get(application=scene.heard).deadline
    assert f"{deadline.day}. " in hearing  # the answer deadline is shown
    drafts = item(html, reverse("applications:my_applications"))
    assert count_of(drafts) >= 1
    # The open round, its deadline counted down and a start link naming it and the association.
    start = f"{reverse('applications:application_new')}?round={world.round.pk}&amp;association={world.a.pk}"
    assert start in html
    days = (timezone.localtime(world.round.deadline).date() - timezone.localdate()).days
    assert re.search(rf"{days} (days|dage)", html)
    # Granted: the paid case and the reported one, 20,000 each.
    assert money(Decimal("40000")) in html


def test_the_association_starts_an_application_in_the_round_it_chose(
    world: Any, client: Any
) -> None:
    client.force_login(world.anna)
    response = client.get(
        reverse("applications:application_new"),
        {"round": world.round.pk, "association": world.a.pk},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["round"].value() == world.round.pk
    assert form["association"].value() == world.a.pk


def test_an_overdue_usage_report_is_flagged(world: Any, client: Any, scene: Any) -> None:
    world.round.report_deadline = timezone.localdate() - datetime.timedelta(days=3)
    world.round.save()
    html = page(client, world.anna)
    report = item(html, reverse("applications:application_detail", args=[scene.paid.pk]))
    assert 'class="tag tag-error"' in report
    assert count_of(report) == 1


def test_an_association_sees_nothing_of_another_associations_cases(
    world: Any, client: Any, scene: Any
) -> None:
    html = page(client, world.bo)
    assert world.b.name in html
    assert world.a.name not in html
    for application in (scene.asked, scene.heard, scene.paid, scene.draft):
        assert f"/{application.pk}/" not in html
    assert money(Decimal("40000")) not in html


def test_an_applicant_sees_no_staff_section(world: Any, client: Any, scene: Any) -> None:
    html = page(client, world.anna)
    for section in ('id="case-officer"', 'id="council"', 'id="committee"', 'id="auditor"'):
        assert section not in html
    assert 'id="case-officer"' in page(client, world.carl)


# --- the case officer ------------------------------------------------------------------------


def test_the_case_officer_sees_the_rounds_work_with_links(
    world: Any, client: Any, scene: Any
) -> None:
    scene.submitted.case_officer = world.carl
    scene.submitted.save()
    hearing = Hearing.objects.get(application=scene.heard)
    hearing.deadline = timezone.localdate() - datetime.timedelta(days=2)
    hearing.save()
    report = scene.reported.usage_reports.get()
    RepaymentClaim.objects.create(
        application=scene.reported,
        report=report,
        amount=Decimal("500"),
        due_on=timezone.localdate() - datetime.timedelta(days=10),
        created_by=world.carl,
    )
    html = page(client, world.carl)
    detail = lambda a: reverse("applications:application_detail", args=[a.pk])  # noqa: E731
    items = html[html.index(f'id="round-{world.round.pk}"') :]
    new = re.findall(rf'href="{re.escape(detail(scene.submitted))}"', items)
    assert new, "the new submission links to the case"
    assert count_of(item(items, detail(scene.answered))) == 1  # answers received
    assert (
        count_of(item(items, reverse("after_grant:report_approve", args=[scene.reported.pk]))) == 1
    )
    expired = item(items, detail(scene.heard))
    assert "tag tag-error" in expired
    claim = item(items, detail(scene.reported))
    assert money(Decimal("500")) in claim
    # The pool as a gauge with its numbers beside it.
    assert 'role="img"' in items
    assert money(world.round.pool_amount) in items
    assert money(Decimal("40000")) in items  # granted
    assert money(world.round.pool_amount - Decimal("40000")) in items  # left


def test_cases_assigned_to_me_counts_only_mine(world: Any, client: Any, scene: Any) -> None:
    for application in (scene.submitted, scene.answered):
        application.case_officer = world.carl
        application.save()
    scene.asked.case_officer = world.helle
    scene.asked.save()
    html = page(client, world.carl)
    mine = re.search(
        r'<li class="pf-task">\s*<a href="([^"]+)" class="pf-task-link"><span class="pf-task-count">(\d+)</span> (Cases assigned to me|Sager tildelt mig)',
        html,
    )
    assert mine and mine.group(2) == "2"


def test_a_case_officer_sees_nothing_of_another_municipality(
    world: Any, client: Any, scene: Any
) -> None:
    html = page(client, world.helle)
    assert world.round.name not in html
    assert f'id="round-{world.round.pk}"' not in html
    assert f'id="round-{world.other_round.pk}"' in html  # open for applications: shown


def test_the_charts_carry_their_numbers_for_screen_readers(
    world: Any, client: Any, scene: Any
) -> None:
    html = page(client, world.carl)
    assert html.count('role="img"') >= 3  # the gauge, applications per status, waiting time
    table = html[html.index("pf-figure-table") :]
    label = str(ApplicationStatus.SUBMITTED.label)
    assert re.search(rf"<th scope=\"row\">{label}</th><td class=\"pf-money\">\d+</td>", table)


# --- the council -----------------------------------------------------------------------------


def test_the_council_member_reaches_the_sheet_in_one_click(
    world: Any, client: Any, scene: Any
) -> None:
    other = ApplicationFactory(round=world.round, association=world.b)
    other.focus_areas.set([world.focus])
    other = perform(perform(other, "submit", user=world.bo), "accept", user=world.carl)
    meeting_services.agenda_add(
        meeting=scene.meetings.council, applications=[other], acting_user=world.carl
    )
    sheet = reverse("council:meeting_assess", args=[scene.meetings.council.pk])
    # dorte is on association A's board: only B's case is hers to assess.
    assert count_of(item(page(client, world.dorte), sheet)) == 1
    assert count_of(item(page(client, world.erik), sheet)) == 2
    meeting_services.assessment_record(
        meeting=scene.meetings.council,
        application=other,
        member=world.erik,
        outcome="grant",
        amount=other.amount_requested,
        comment="",
    )
    assert count_of(item(page(client, world.erik), sheet)) == 1
    assert client.get(sheet).status_code == 200


def test_the_chair_sees_declarations_awaiting_a_ruling(world: Any, client: Any, scene: Any) -> None:
    declaration = meeting_services.conflict_declare(
        application=scene.review, member=world.dorte, reason="Min søster er formand."
    )
    html = page(client, world.erik)
    assert count_of(item(html, reverse("council:conflict_rule", args=[declaration.pk]))) == 1
    assert f'id="readiness-{scene.meetings.council.pk}"' in html
    assert "conflict_rule" not in page(client, world.dorte)
    assert reverse("council:conflict_rule", args=[declaration.pk]) not in page(client, world.dorte)


def test_a_council_member_who_also_represents_an_association_sees_both(
    world: Any, client: Any, scene: Any
) -> None:
    tie(world.dorte, world.b)
    html = page(client, world.dorte)
    assert f'id="association-{world.b.pk}"' in html
    assert 'id="council"' in html
    assert 'id="case-officer"' not in html


# --- the committee and the auditor -----------------------------------------------------------


def test_the_committee_sees_the_next_meeting_against_the_pool(
    world: Any, client: Any, scene: Any
) -> None:
    html = page(client, world.frida)
    section = html[html.index('id="committee"') :]
    assert reverse("bulk:meeting_bulk", args=[scene.meetings.committee.pk]) in section
    assert reverse("meetings:meeting_agenda", args=[scene.meetings.committee.pk]) in section
    assert money(scene.recommended.amount_requested) in section  # requested on the agenda
    assert money(scene.recommended.recommended_amount) in section
    assert money(world.round.pool_amount) in section
    assert 'id="committee"' not in page(client, world.carl)


def test_a_meeting_held_with_decisions_not_yet_recorded_stays_on_the_home_until_they_are(
    world: Any, client: Any
) -> None:
    from cases.models import AgendaItem
    from tests.conftest import NO_HEARING, advance

    application = ApplicationFactory(round=world.round, association=world.a)
    application.focus_areas.set([world.focus])
    application = advance(application, world, "recommended")  # on a committee meeting held
    held = AgendaItem.objects.get(application=application, meeting__body="committee").meeting
    assert held.date < timezone.localdate()
    bulk = reverse("bulk:meeting_bulk", args=[held.pk])
    assert bulk in page(client, world.frida)

    perform(
        application,
        "decide",
        user=world.frida,
        outcome="grant",
        amount="20000",
        reason="Som indstillet",
        **NO_HEARING,
    )

    assert bulk not in page(client, world.frida)


def test_a_committee_member_who_is_not_chair_is_not_offered_the_decisions(
    world: Any, client: Any, scene: Any
) -> None:
    from cases.models import Role
    from tests.factories import UserFactory, give_role

    member = UserFactory(username="karen")
    give_role(member, world.roskilde, Role.COMMITTEE_MEMBER)
    html = page(client, member)
    assert reverse("meetings:meeting_agenda", args=[scene.meetings.committee.pk]) in html
    assert reverse("bulk:meeting_bulk", args=[scene.meetings.committee.pk]) not in html


def test_the_auditor_sees_recent_decisions_and_the_last_trail_check(
    world: Any, client: Any, scene: Any
) -> None:
    html = page(client, world.gustav)
    assert 'id="trail-check"' not in html  # never checked: said so
    assert "verify_trail" in html
    trail = reverse("audit:application_trail", args=[scene.paid.pk])
    assert trail in html
    # Each decision's row: the case number, the association, the outcome and the amount
    # (read from the record's payload; the record's copy of the case is not read).
    table = html.split('id="recent-decisions"')[1].split("</table>")[0]
    row = table.split(f'href="{trail}"')[1].split("</tr>")[0]
    assert scene.paid.case_number in row and scene.paid.association.name in row
    decided = scene.paid.transition_records.get(transition="decide")
    assert str(ApplicationStatus(decided.to_state).label) in row
    assert money(decided.payload["amount"]) in row
    call_command("verify_trail")
    check = TrailCheck.objects.get()
    assert check.ok and check.scope == ""
    assert check.records == TransitionRecord.objects.count()
    html = page(client, world.gustav)
    assert 'class="alert alert-success" id="trail-check"' in html
    TrailCheck.objects.create(checked_at=timezone.now(), ok=False, problems=2)
    assert 'class="alert alert-error" id="trail-check"' in page(client, world.gustav)


def test_a_scoped_trail_check_is_kept_but_not_taken_for_the_whole(
    world: Any, client: Any, scene: Any
) -> None:
    call_command("verify_trail", "--round", str(world.round.pk))
    assert TrailCheck.objects.get().scope == f"round {world.round.pk}"
    assert 'id="trail-check"' not in page(client, world.gustav)


def test_the_auditor_sees_no_decision_of_another_municipality(
    world: Any, client: Any, scene: Any
) -> None:
    other = ApplicationFactory(round=world.other_round, association=world.b)
    assert f"/{other.pk}/trail/" not in page(client, world.gustav)
    assert 'id="auditor"' not in page(client, world.helle)


def test_the_manager_sees_the_case_officers_ties_awaiting_a_ruling(
    world: Any, client: Any, scene: Any
) -> None:
    from cases.models import Role
    from tests.factories import UserFactory, give_role

    manager = UserFactory(username="lone")
    give_role(manager, world.roskilde, Role.MANAGER)
    assert "Sagsbehandleres erklærede tilknytninger" not in page(client, manager)
    declaration = meeting_services.conflict_declare(
        application=scene.submitted, member=world.carl, reason="Min bror er kasserer."
    )
    html = page(client, manager)
    assert count_of(item(html, reverse("council:conflict_rule", args=[declaration.pk]))) == 1
    assert 'id="manager"' not in page(client, world.carl)
