"""A scheme is added as a flow without touching the engine (issue 20): a tiny flow, made and
registered here, runs through ``engine.perform`` with its lock, permission, input and record."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import gettext_lazy, override

from cases.errors import TransitionNotPermitted
from cases.flow_paths import PATHS
from workflows import engine, rules
from workflows.application import ScreeningTransitions
from workflows.application_base import STATE, S
from workflows.inputs import TransitionInput
from workflows.labels import done_labels

from .support import records_of


class TinyFlow(ScreeningTransitions):
    """Submitted, then granted in full by the case officer: nothing else."""

    name = "tiny_test_flow"
    title = "Tiny"
    description = "A test's flow."
    path = ("screening", "administration")

    @STATE.transition(
        source=S.SUBMITTED,
        target=S.GRANTED,
        label=gettext_lazy("Grant"),
        permission=rules.case_officer,
        custom={"done": "Granted (tiny)", "form": TransitionInput},
    )
    def grant_all(self) -> None:
        self.application.granted_amount = self.application.amount_requested
        self._save("granted_amount")
        self._record(amount=self.application.amount_requested)


@pytest.fixture
def tiny(world: SimpleNamespace) -> Iterator[SimpleNamespace]:
    engine.register(TinyFlow)
    world.round.flow = TinyFlow.name
    world.round.save()
    yield world
    engine.FLOWS.pop(TinyFlow.name)
    engine._TRANSITIONS.pop(TinyFlow.name, None)
    PATHS.pop(TinyFlow.name)


def test_a_flow_registered_in_a_test_runs_through_the_engine(tiny: Any, draft: Any) -> None:
    assert engine.flow_for(draft) is TinyFlow
    assert tiny.round.decided_by_administration
    submitted = engine.perform(draft, "submit", user=tiny.anna)
    with pytest.raises(TransitionNotPermitted):
        engine.perform(submitted, "grant_all", user=tiny.anna)
    granted = engine.perform(submitted, "grant_all", user=tiny.carl)
    assert granted.status == S.GRANTED and granted.version == submitted.version + 1
    record = records_of(granted)[-1]
    assert (record.transition, record.role) == ("grant_all", "case_officer")
    assert "grant_all" in engine.application_transition_names()


def test_every_registered_application_flow_is_a_round_choice_and_labels_agree() -> None:
    assert list(engine.application_flows()) == ["application", "quick_pool", "older_people"]
    done: dict[str, set[str]] = {}
    for flow in engine.application_flows().values():
        for method, transitions in flow.state.get_transitions().items():
            done.setdefault(method.slug, set()).add(str(next(iter(transitions)).custom["done"]))
    assert all(len(labels) == 1 for labels in done.values()), done
    with override("en"):
        assert done_labels()["decide_directly"] == "Decided by the administration"


def test_an_unknown_flow_on_a_round_is_a_configuration_error(world: Any, draft: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    world.round.flow = "no_such_flow"
    with pytest.raises(ImproperlyConfigured):
        engine.flow_for(draft)
