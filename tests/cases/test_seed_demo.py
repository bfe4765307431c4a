from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cases.models import Association, AssociationMember, GrantRound, Municipality, StaffRole
from cases.validators import cvr_is_valid

pytestmark = pytest.mark.django_db

USERNAMES = [
    "applicant_a",
    "applicant_b",
    "caseofficer",
    "council_member",
    "council_chair",
    "committee_chair",
    "auditor",
    "admin",
]


def test_seed_demo_makes_the_demo_world_and_can_run_twice(settings: Any) -> None:
    out = StringIO()
    call_command("seed_demo", "--password", "Hemmeligt-42", stdout=out)
    call_command("seed_demo", "--password", "Hemmeligt-42", stdout=StringIO())

    assert Municipality.objects.count() == 1
    grant_round = GrantRound.objects.get(name="§ 18-puljen (demo)")
    assert grant_round.focus_areas.count() == 2
    expected = timezone.now() + datetime.timedelta(days=30)
    assert abs(grant_round.deadline - expected) < datetime.timedelta(days=1)
    assert grant_round.is_open()
    assert Association.objects.count() == 3  # + Seniorklubben, for the after-grant cases
    assert all(cvr_is_valid(a.cvr) for a in Association.objects.all())
    users = get_user_model().objects.filter(username__in=USERNAMES)
    assert sorted(u.username for u in users) == sorted(USERNAMES)
    assert all(u.check_password("Hemmeligt-42") for u in users)
    council_member = users.get(username="council_member")
    assert AssociationMember.objects.get(user=council_member).is_board_member
    assert StaffRole.objects.filter(user__username="council_chair", role="council_chair").exists()
    assert users.get(username="admin").is_superuser
    printed = out.getvalue()
    assert "applicant_a" in printed and "Hemmeligt-42" in printed
    assert StaffRole.objects.count() == 7


def test_the_demo_round_has_a_purpose_conditions_and_criteria_scored_1_to_5() -> None:
    call_command("seed_demo", "--password", "Hemmeligt-42", stdout=StringIO())
    call_command("seed_demo", "--password", "Hemmeligt-42", stdout=StringIO())

    grant_round = GrantRound.objects.get(name="§ 18-puljen (demo)")
    assert "aktive medborgerskab" in grant_round.purpose
    assert grant_round.criteria_scoring == "score"
    conditions = list(grant_round.conditions.order_by("position"))
    criteria = list(grant_round.criteria.order_by("position"))
    # Run twice, still one of each, in order, each explained.
    assert 3 <= len(conditions) <= 4 and 3 <= len(criteria) <= 5
    assert [c.position for c in criteria] == list(range(1, len(criteria) + 1))
    assert all(c.help_text for c in [*conditions, *criteria])
    assert criteria[1].title == "Sundhedsfremme og forebyggelse"
