"""Target groups: fixed categories an application ticks, so rounds and years compare."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Application, TargetGroup, TargetGroupCode
from cases.services import applications as services

from .test_applicant_screens import edit_post

pytestmark = pytest.mark.django_db


def _ids(*codes: str) -> list[int]:
    return [TargetGroup.objects.get(code=code).pk for code in codes]


def test_the_categories_are_there_for_every_code(db: Any) -> None:
    assert sorted(TargetGroup.objects.values_list("code", flat=True)) == sorted(
        c.value for c in TargetGroupCode
    )


def test_the_draft_form_offers_every_target_group_after_the_description(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    page = (
        as_user(world.anna)
        .get(reverse("applications:draft_step", args=[draft.pk, "activity"]))
        .content.decode()
    )
    assert page.count('name="target_groups"') == len(TargetGroupCode)
    assert page.index('name="target_group"') < page.index('name="target_groups"')
    assert page.index('name="target_groups"') < page.index('name="activity_description"')


def test_anna_ticks_target_groups_and_the_case_shows_them(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    response = client.post(
        reverse("applications:application_edit", args=[draft.pk]),
        edit_post(draft, target_groups=_ids("children", "families")),
    )
    assert response.status_code == 302
    assert sorted(draft.target_groups.values_list("code", flat=True)) == ["children", "families"]
    # The change is in the case's history, with who made it.
    version = draft.history.first()
    assert version.history_user == world.anna
    assert sorted(row.targetgroup.code for row in version.target_groups.all()) == [
        "children",
        "families",
    ]
    detail = client.get(
        reverse("applications:application_detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = detail.content.decode()
    assert 'id="target-groups"' in html
    shown = html.split('id="target-groups">')[1].split("</dd>")[0]
    assert str(TargetGroupCode.CHILDREN.label) in shown or "Børn og unge" in shown
    # Saving again with none ticked clears them: an unticked box is an answer.
    response = client.post(
        reverse("applications:application_edit", args=[draft.pk]), edit_post(draft)
    )
    assert response.status_code == 302
    assert not draft.target_groups.exists()


def test_an_unknown_target_group_is_an_error_next_to_the_field(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        reverse("applications:application_edit", args=[draft.pk]),
        edit_post(draft, target_groups=["999999", "abc"]),
    )
    assert response.status_code == 400
    assert 'id="id_target_groups-error"' in response.content.decode()
    assert not draft.target_groups.exists()


def test_bo_cannot_set_target_groups_on_annas_draft(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    url = reverse("applications:application_edit", args=[draft.pk])
    assert (
        as_user(world.bo).post(url, edit_post(draft, target_groups=_ids("older"))).status_code
        == 404
    )
    assert not draft.target_groups.exists()
    # The same request by anna, who represents A, is allowed: the refusal came from the rule.
    assert (
        as_user(world.anna).post(url, edit_post(draft, target_groups=_ids("older"))).status_code
        == 302
    )
    assert list(draft.target_groups.values_list("code", flat=True)) == ["older"]


def test_the_service_leaves_target_groups_alone_when_not_given(
    world: SimpleNamespace, draft: Application
) -> None:
    draft.target_groups.set(TargetGroup.objects.filter(code="lonely"))
    services.application_update_draft(
        application=draft, acting_user=world.anna, data={"purpose": "Nyt formål"}
    )
    assert list(draft.target_groups.values_list("code", flat=True)) == ["lonely"]


def test_a_new_draft_can_start_with_target_groups(world: SimpleNamespace) -> None:
    application = services.application_create(
        grant_round=world.round,
        association=world.a,
        acting_user=world.anna,
        data={"title": "Besøgsven", "target_groups": TargetGroup.objects.filter(code="older")},
    )
    assert list(application.target_groups.values_list("code", flat=True)) == ["older"]
