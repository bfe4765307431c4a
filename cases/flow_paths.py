"""What the domain needs to know of a round's flow without importing the flows: its path.

A round names the flow its applications follow (``GrantRound.flow``); the flows themselves
live in ``workflows/`` and register here, at start, the steps of their path in order
(``workflows/apps.py``). The receipt's "what happens next", the decision letter's sender and
the public call page read the path: a flow with no committee on it is decided by the
administration (the case officer), a flow with the council on it has a recommendation.

Steps: ``screening``, ``council``, ``committee``, ``administration`` (the case officer
decides) and ``letter``.
"""

from __future__ import annotations

from collections.abc import Iterable

# The council and committee flow (workflows.application.ApplicationFlow): every round's
# flow until issue 20, and a new round's default.
COUNCIL_FLOW = "application"
SCREENING_STEP = "screening"
COUNCIL_STEP = "council"
COMMITTEE_STEP = "committee"
ADMINISTRATION_STEP = "administration"
LETTER_STEP = "letter"

_COUNCIL_PATH = (SCREENING_STEP, COUNCIL_STEP, COMMITTEE_STEP, LETTER_STEP)
PATHS: dict[str, tuple[str, ...]] = {COUNCIL_FLOW: _COUNCIL_PATH}


def register_path(flow: str, steps: Iterable[str]) -> None:
    PATHS[flow] = tuple(steps)


def steps_of(flow: str) -> tuple[str, ...]:
    """The steps of ``flow``'s path; an unknown name reads as the council and committee's."""
    return PATHS.get(flow, _COUNCIL_PATH)
