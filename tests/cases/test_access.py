"""Who sees what: other associations' and municipalities' cases answer 404, not 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from workflows import engine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("outsider", ["bo", "helle", "ivan", "admin"])
def test_outsiders_get_404_on_annas_application(
    world: Any, draft: Any, client: Any, outsider: str
) -> None:
    attachment = draft.attachments.first()
    client.force_login(getattr(world, outsider))
    for url in (
        reverse("applications:application_detail", args=[draft.pk]),
        reverse("applications:application_edit", args=[draft.pk]),
        reverse("applications:application_act", args=[draft.pk, "submit"]),
        reverse("applications:attachment_download", args=[attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("applications:application_act", args=[draft.pk, "submit"]), {"seen_status": "draft"}
    )
    assert response.status_code == 404
    # anna, who represents association A, sees the same pages.
    client.force_login(world.anna)
    assert (
        client.get(reverse("applications:application_detail", args=[draft.pk])).status_code == 200
    )
    assert (
        client.get(reverse("applications:attachment_download", args=[attachment.pk])).status_code
        == 200
    )


@pytest.mark.parametrize("staff", ["carl", "dorte", "erik", "frida", "gustav"])
def test_staff_of_the_municipality_see_the_case_but_cannot_edit_the_draft(
    world: Any, draft: Any, client: Any, staff: str
) -> None:
    client.force_login(getattr(world, staff))
    assert (
        client.get(reverse("applications:application_detail", args=[draft.pk])).status_code == 200
    )
    assert client.get(reverse("applications:application_edit", args=[draft.pk])).status_code == 403
    client.force_login(world.anna)
    step = reverse("applications:draft_step", args=[draft.pk, "activity"])
    assert client.get(step).status_code == 200


def test_the_round_inbox_is_for_staff_of_its_municipality(world: Any, client: Any) -> None:
    url = reverse("inbox:round_inbox", args=[world.round.pk])
    for outsider in (world.helle, world.ivan, world.anna, world.bo):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(world.carl)
    assert client.get(url).status_code == 200


def test_anonymous_users_are_sent_to_the_login_page(world: Any, draft: Any, client: Any) -> None:
    for url in (
        reverse("applications:my_applications"),
        reverse("applications:application_detail", args=[draft.pk]),
        reverse("inbox:round_inbox", args=[world.round.pk]),
        reverse("applications:flow_chart"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_only_case_officers_register_paper_applications(world: Any, client: Any) -> None:
    url = reverse("inbox:paper_application_new", args=[world.round.pk])
    for user in (world.erik, world.frida, world.gustav):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(world.helle)
    assert client.get(url).status_code == 404
    client.force_login(world.carl)
    assert client.get(url).status_code == 200


def test_the_actions_offered_follow_the_rules(world: Any, draft: Any, client: Any) -> None:
    submitted = engine.perform(draft, "submit", user=world.anna)
    client.force_login(world.carl)
    html = client.get(
        reverse("applications:application_detail", args=[submitted.pk])
    ).content.decode()
    assert 'data-action="accept"' in html and 'data-action="reject"' in html
    client.force_login(world.anna)
    html = client.get(
        reverse("applications:application_detail", args=[submitted.pk])
    ).content.decode()
    assert 'data-action="accept"' not in html and 'data-action="withdraw"' in html


def test_one_case_is_visible_to_whom_the_list_shows_it(world: Any, draft: Any) -> None:
    """``is_visible`` (a case's pages, which read it compiled) and ``visible_applications``
    (every list) answer alike for everybody, each from ``_sees``."""
    from cases.access import is_visible, visible_applications
    from cases.roles import forget_profile
    from tests.factories import ApplicationFactory

    other = ApplicationFactory(round=world.other_round, association=world.b)
    names = ["anna", "bo", "carl", "dorte", "erik", "frida", "gustav", "helle", "ivan", "admin"]
    seen = set()
    for name in names:
        user = getattr(world, name)
        forget_profile(user)
        listed = set(visible_applications(user).values_list("pk", flat=True))
        for application in (draft, other):
            assert is_visible(user, application) == (application.pk in listed), (name, application)
            if application.pk in listed:
                seen.add((name, application.pk))
    assert ("anna", draft.pk) in seen and ("bo", draft.pk) not in seen
    assert {("helle", other.pk), ("bo", other.pk)} <= seen and ("carl", other.pk) not in seen
