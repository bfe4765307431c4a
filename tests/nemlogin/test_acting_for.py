"""Acting for one association: the session's choice narrows ``roles.profile(...).represents``,
so lists, the new-application form and the rules act for that one only."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.nemlogin import acting
from cases import roles
from tests.factories import ApplicationFactory, tie

pytestmark = pytest.mark.django_db


def test_the_choice_narrows_what_the_person_represents(world: Any) -> None:
    tie(world.anna, world.b)
    assert roles.profile(world.anna).represents == {world.a.pk, world.b.pk}
    roles.forget_profile(world.anna)
    world.anna._puljeflow_acting_for = world.b.pk
    who = roles.profile(world.anna)
    assert who.represents == {world.b.pk}
    assert who.all_represents == {world.a.pk, world.b.pk}


def test_staff_are_never_narrowed(world: Any) -> None:
    """dorte sits on a's board and is a council member: her ties all count for conflicts."""
    tie(world.dorte, world.b)
    # A choice that would leave a non-staff person with nothing leaves her ties as they are.
    world.dorte._puljeflow_acting_for = world.a.pk
    assert roles.profile(world.dorte).represents == {world.b.pk}


def test_a_chosen_association_the_person_no_longer_represents_gives_nothing(world: Any) -> None:
    world.anna._puljeflow_acting_for = world.b.pk
    assert roles.profile(world.anna).represents == set()


def test_the_screens_act_for_the_chosen_association_only(client: Any, world: Any) -> None:
    tie(world.anna, world.b)
    mine_a = ApplicationFactory(round=world.round, association=world.a, title="Lektier for alle")
    mine_b = ApplicationFactory(round=world.round, association=world.b, title="Besøg om fredagen")
    client.force_login(world.anna)
    both = client.get("/applications/").content.decode()
    assert mine_a.title in both and mine_b.title in both

    chosen = client.post("/nemlogin/act-for/", {"association": world.b.pk, "next": "/"})
    assert chosen.status_code == 302
    assert client.session[acting.ACTING_FOR] == world.b.pk
    only_b = client.get("/applications/").content.decode()
    assert mine_b.title in only_b and mine_a.title not in only_b
    assert client.get(f"/applications/{mine_a.pk}/").status_code in {403, 404}
    assert f"For {world.b.name}" in client.get("/").content.decode()


def test_one_cannot_choose_an_association_one_does_not_represent(client: Any, world: Any) -> None:
    client.force_login(world.anna)
    refused = client.post("/nemlogin/act-for/", {"association": world.b.pk})
    assert refused.status_code == 400
    assert acting.ACTING_FOR not in client.session
    assert client.post("/nemlogin/act-for/", {"association": world.a.pk}).status_code == 302
