"""Answering the questionnaire, saying no thanks, and the results (cases/services/feedback.py,
cases/selectors/feedback.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import limits
from cases.models import MIN_ANSWERS, ApplicationStatus, Feedback
from cases.selectors.feedback import round_results, year_of, year_results
from cases.services.feedback import AlreadyAnswered, feedback_answer, feedback_decline
from tests.feedback.scene import answer, answered, decided

pytestmark = pytest.mark.django_db


def test_the_association_answers_once(world: SimpleNamespace) -> None:
    application = decided(world, association=world.a)
    saved = feedback_answer(
        application=application,
        acting_user=world.anna,
        ease=4,
        time_spent="hours_1_3",
        unclear=["letter", "budget", "budget"],
        comment="  Budgettet var svært.  ",
    )
    assert (saved.ease, saved.time_spent, saved.comment) == (4, "hours_1_3", "Budgettet var svært.")
    assert saved.unclear == ["budget", "letter"]  # once each, in the questionnaire's order
    with pytest.raises(AlreadyAnswered):
        feedback_answer(application=application, acting_user=world.anna, ease=1)
    with pytest.raises(AlreadyAnswered):
        feedback_decline(application=application, acting_user=world.anna)
    assert Feedback.objects.filter(application=application).count() == 1


def test_no_thanks_closes_the_invitation_without_an_answer(world: SimpleNamespace) -> None:
    application = decided(world, association=world.a, status=ApplicationStatus.REFUSED)
    declined = feedback_decline(application=application, acting_user=world.anna)
    assert declined.declined and declined.ease is None and declined.comment == ""
    with pytest.raises(AlreadyAnswered):
        feedback_answer(application=application, acting_user=world.anna, ease=3)


def test_only_the_association_answers_and_only_after_the_decision(world: SimpleNamespace) -> None:
    application = decided(world, association=world.a)
    for outsider in (world.bo, world.carl, world.erik, world.frida, world.gustav):
        with pytest.raises(PermissionDenied):
            feedback_answer(application=application, acting_user=outsider, ease=3)
    undecided = decided(world, association=world.a, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(PermissionDenied, match="når der er truffet afgørelse"):
        feedback_answer(application=undecided, acting_user=world.anna, ease=3)
    # A decision older than the days the questionnaire stays open: closed.
    old = decided(world, association=world.a)
    old.decided_at = timezone.now() - timedelta(days=91)
    with pytest.raises(PermissionDenied, match="lukket"):
        feedback_answer(application=old, acting_user=world.anna, ease=3)
    # The same request by the association on its decided case goes through.
    assert feedback_answer(application=application, acting_user=world.anna, ease=3).pk


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ease": 6}, "ease"),
        ({"ease": 0}, "ease"),
        ({"ease": 3, "time_spent": "a_week"}, "time_spent"),
        ({"ease": 3, "unclear": ["the_weather"]}, "unclear"),
        ({"ease": 3, "comment": "x" * (limits.TEXT + 1)}, "comment"),
        ({"ease": None, "comment": "   "}, "__all__"),
    ],
)
def test_bad_answers_are_refused_field_by_field(
    world: SimpleNamespace, values: dict, field: str
) -> None:
    application = decided(world, association=world.a)
    with pytest.raises(ValidationError) as refused:
        feedback_answer(application=application, acting_user=world.anna, **values)
    assert list(refused.value.message_dict) == [field]
    assert not Feedback.objects.exists()


def test_a_round_with_fewer_than_three_answers_shows_only_the_counts(
    world: SimpleNamespace,
) -> None:
    assert MIN_ANSWERS == 3
    answered(world, 2, comment="Hemmelig {i}")
    answer(decided(world), declined=True)
    decided(world)  # invited, not answered
    results = round_results(world.round)
    assert (results.invited, results.answered, results.declined) == (4, 2, 1)
    assert results.suppressed
    assert results.comments == [] and results.ease == [] and results.average_ease is None
    assert "Hemmelig" not in str(results.as_figures())


def test_the_results_count_every_answer_and_sort_the_comments(world: SimpleNamespace) -> None:
    decided(world)
    answer(decided(world), ease=5, time_spent="under_1_hour", unclear=[], comment="Åbent")
    answer(decided(world), ease=2, time_spent="day_or_more", unclear=["budget"], comment="budget")
    answer(decided(world), ease=2, time_spent="", unclear=["budget", "call"], comment="")
    answer(decided(world), ease=None, time_spent="half_day", unclear=[], comment="Bilag")
    answer(decided(world), declined=True)
    undecided = decided(world, status=ApplicationStatus.SUBMITTED)
    results = round_results(world.round)
    assert (results.invited, results.answered, results.declined) == (6, 4, 1)
    assert not results.suppressed
    assert results.average_ease == Decimal("3.0")  # (5 + 2 + 2) / 3, the unanswered left out
    assert [(s.key, s.count) for s in results.ease] == [
        ("1", 0),
        ("2", 2),
        ("3", 0),
        ("4", 0),
        ("5", 1),
    ]
    assert {s.key: s.count for s in results.time_spent} == {
        "under_1_hour": 1,
        "hours_1_3": 0,
        "half_day": 1,
        "day_or_more": 1,
    }
    assert {s.key: s.count for s in results.unclear}["budget"] == 2
    # Alphabetical, not in the order given (which would follow the order of the decisions).
    assert results.comments == ["Bilag", "budget", "Åbent"]
    assert undecided.pk  # a case not yet decided is not counted as invited


def test_the_year_gathers_the_rounds_whose_deadline_fell_in_it(world: SimpleNamespace) -> None:
    answered(world, 3)
    other = answered(SimpleNamespace(round=world.other_round), 4)
    assert other
    year = year_of(world.round)
    assert year_results(world.roskilde, year).answered == 3
    assert year_results(world.naestved, year).answered == 4
    assert year_results(world.roskilde, year - 1).answered == 0
