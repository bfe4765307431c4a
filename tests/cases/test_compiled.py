"""cases/compiled.py: a queryset compiled once answers as Django's own would, every call."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from cases.compiled import Compiled
from cases.models import Application, AssociationMember, ConflictDeclaration
from cases.permissions import (
    COMMITTEE_ROLES,
    CONFLICTED,
    COUNCIL_ROLES,
    DISQUALIFYING_TIE,
)
from cases.trail.chain import HEAD
from cases.trail.models import TransitionRecord
from tests.conftest import advance, on_agenda
from tests.factories import ApplicationFactory
from workflows.application_base import LOCKED


def _concrete(obj: Any) -> list[Any]:
    return [getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields]


def test_the_locked_case_is_the_orms_with_its_round_association_and_municipality(
    world: SimpleNamespace, draft: Any
) -> None:
    first = advance(draft, world, "granted")
    second = ApplicationFactory(round=world.round, association=world.b)
    for application in (first, second, first):  # compiled once, bound anew each time
        with transaction.atomic():
            (found,) = LOCKED.objects(pk=application.pk)
            orm = (
                Application.objects.select_for_update(of=("self",))
                .select_related("round", "association", "municipality")
                .get(pk=application.pk)
            )
        assert found.pk == application.pk and not found._state.adding
        assert found._state.db == "default"
        assert _concrete(found) == _concrete(orm)
        with CaptureQueriesContext(connection) as read:
            related = (found.round, found.association, found.municipality)
        assert len(read) == 0  # cached, as select_related caches them
        assert [_concrete(r) for r in related] == [
            _concrete(orm.round),
            _concrete(orm.association),
            _concrete(orm.municipality),
        ]
    with transaction.atomic():
        assert LOCKED.objects(pk=10**9) == []


def test_the_chains_head_and_the_conflicted_members_are_the_orms(
    world: SimpleNamespace, draft: Any
) -> None:
    application = advance(draft, world, "granted")
    orm_head = list(
        TransitionRecord.objects.filter(application=application)
        .order_by("-seq")
        .values_list("seq", "hash")[:1]
    )
    assert HEAD.rows(application=application.pk) == orm_head and orm_head[0][0] > 1
    assert HEAD.rows(application=10**9) == []
    ConflictDeclaration.objects.create(
        application=application, member=world.erik, reason="Min søster er formand"
    )
    ties = set(
        AssociationMember.objects.filter(DISQUALIFYING_TIE, association=world.a).values_list(
            "user_id", flat=True
        )
    )
    found = CONFLICTED.rows(association=world.a.pk, application=application.pk)
    assert {row[0] for row in found} == ties | {world.erik.pk}
    assert {world.anna.pk, world.dorte.pk} <= ties  # A's representative, A's board member
    # Another association's case: its board, no declaration.
    other = CONFLICTED.rows(association=world.b.pk, application=application.pk + 10**6)
    assert world.erik.pk not in {row[0] for row in other}


def test_a_compiled_query_is_built_once_and_each_statement_is_counted(
    world: SimpleNamespace,
) -> None:
    built = []

    def build(association: int) -> Any:
        built.append(association)
        return Application.objects.filter(association_id=association).values_list("title")

    titles = Compiled(build, "association")
    mine = ApplicationFactory(round=world.round, association=world.a, title="Lektiecafé")
    theirs = ApplicationFactory(round=world.round, association=world.b, title="Besøg")
    with CaptureQueriesContext(connection) as queries:
        assert titles.rows(association=world.a.pk) == [(mine.title,)]
        assert titles.rows(association=world.b.pk) == [(theirs.title,)]
    assert len(built) == 1 and len(queries) == 2


def test_an_id_used_twice_is_bound_at_each_place(world: SimpleNamespace) -> None:
    application = ApplicationFactory(round=world.round, association=world.a)
    same = Compiled(
        lambda pk: (
            Application.objects.filter(pk=pk)
            .order_by()
            .values_list("pk")
            .union(Application.objects.filter(pk=pk).order_by().values_list("pk"), all=True)
        ),
        "pk",
    )
    assert same.rows(pk=application.pk) == [(application.pk,), (application.pk,)]


def test_an_id_in_a_column_that_is_no_key_is_bound_as_the_driver_wraps_it(
    world: SimpleNamespace,
) -> None:
    """A history row's copy of the case's id is a plain bigint, which PostgreSQL's driver
    binds wrapped (psycopg's Int8): it is found and bound again all the same; the trail
    reads its history so (cases/trail/timeline.py)."""
    from cases.trail.timeline import _HISTORIES

    application = ApplicationFactory(round=world.round, association=world.a)
    other = ApplicationFactory(round=world.round, association=world.b)
    history = Application.history.model  # type: ignore[attr-defined]
    read = Compiled(lambda pk: history.objects.filter(id=pk).order_by("history_id"), "pk")
    for case in (application, other):
        orm = list(history.objects.filter(id=case.pk).order_by("history_id"))
        assert [row.history_id for row in read.objects(pk=case.pk)] == [
            row.history_id for row in orm
        ]
        assert orm  # made, so the case has a history row
    # Every history read of the trail compiles, on either backend.
    for model, compiled in _HISTORIES:
        assert isinstance(compiled.objects(application=application.pk), list), model


def test_it_refuses_what_it_cannot_bind(world: SimpleNamespace) -> None:
    # An id the query does not use cannot be bound: refused when first compiled.
    unused = Compiled(lambda pk: Application.objects.values_list("pk"), "pk")
    with pytest.raises(ValueError, match="not parameters"):
        unused.rows(pk=1)
    titles = Compiled(lambda pk: Application.objects.filter(pk=pk).values_list("title"), "pk")
    with pytest.raises(TypeError, match="must be int"):
        titles.rows(pk="1")
    with pytest.raises(TypeError, match="exactly the ids"):
        titles.rows(pk=1, other=2)
    with pytest.raises(TypeError, match="this one is a values_list"):
        titles.objects(pk=1)
    # Dicts, flat lists and prefetches are made after the query: refused, not left out.
    for refused in (
        Compiled(lambda pk: Application.objects.filter(pk=pk).values("title"), "pk"),
        Compiled(lambda pk: Application.objects.filter(pk=pk).values_list("pk", flat=True), "pk"),
        Compiled(
            lambda pk: Application.objects.filter(pk=pk).prefetch_related("budget_lines"), "pk"
        ),
    ):
        with pytest.raises(ValueError, match=r"values_list|prefetch"):
            refused.rows(pk=1)
    with pytest.raises(TypeError, match="makes objects"):
        Compiled(lambda pk: Application.objects.filter(pk=pk), "pk").rows(pk=1)


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite has no row locks")
@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused_as_django_refuses_it() -> None:
    lock = Compiled(lambda pk: Application.objects.select_for_update().filter(pk=pk), "pk")
    with pytest.raises(TransactionManagementError):
        lock.objects(pk=1)  # refused by Django's compiler, the first time
    with transaction.atomic():
        assert lock.objects(pk=1) == []
    with pytest.raises(TransactionManagementError):
        lock.objects(pk=1)  # compiled now: refused before it runs


def test_the_quorums_and_the_recipients_reads_are_the_orms(
    world: SimpleNamespace, draft: Any
) -> None:
    from cases.models import Body, Meeting, StaffRole
    from cases.permissions import meeting_member_ids, present_ids
    from notifications.selectors import applicant_list, applicants_of

    application = advance(draft, world, "in_council_review")
    meeting = on_agenda(application, world)
    with CaptureQueriesContext(connection) as read:
        present = present_ids(meeting)
        members = meeting_member_ids(meeting)
    assert len(read) == 1  # the members present and the body's members in one statement
    assert present == set(meeting.members_present.values_list("pk", flat=True))
    assert present  # the council met with members present
    council = StaffRole.objects.filter(municipality=world.roskilde, role__in=COUNCIL_ROLES)
    assert members == set(council.values_list("user_id", flat=True))
    # A committee meeting of the same round: the committee's members, none present yet.
    committee = Meeting.objects.create(
        round=meeting.round, body=Body.COMMITTEE, date=meeting.date, created_by=world.carl
    )
    in_committee = StaffRole.objects.filter(municipality=world.roskilde, role__in=COMMITTEE_ROLES)
    assert meeting_member_ids(committee) == set(in_committee.values_list("user_id", flat=True))
    assert meeting_member_ids(committee) != members
    assert present_ids(committee) == set()
    found = applicant_list(application)
    assert [_concrete(u) for u in found] == [_concrete(u) for u in applicants_of(application)]
    assert [u.username for u in found] == ["anna"]
    with CaptureQueriesContext(connection) as read:
        for user in found:
            getattr(user, "notification_preference", None)  # cached, present or not
    assert len(read) == 0


def test_a_meetings_people_and_the_cases_conflicted_in_one_statement_are_the_three_reads(
    world: SimpleNamespace, draft: Any
) -> None:
    from cases.models import Meeting
    from cases.permissions import (
        conflicted_member_ids,
        meeting_member_ids,
        present_ids,
        read_meeting_people,
    )

    application = advance(draft, world, "in_council_review")
    meeting = on_agenda(application, world)
    ConflictDeclaration.objects.create(
        application=application, member=world.erik, reason="Min søster er formand"
    )
    for body_meeting in (meeting, _committee_meeting(meeting, world)):
        apart, case_apart = (
            Meeting.objects.get(pk=body_meeting.pk),
            Application.objects.get(pk=application.pk),
        )
        expected = (
            present_ids(apart),
            meeting_member_ids(apart),
            conflicted_member_ids(case_apart),
        )
        together, case = (
            Meeting.objects.get(pk=body_meeting.pk),
            Application.objects.get(pk=application.pk),
        )
        with CaptureQueriesContext(connection) as read:
            read_meeting_people(together, case)
            found = (
                present_ids(together),
                meeting_member_ids(together),
                conflicted_member_ids(case),
            )
        assert len(read) == 1
        assert found == expected
        # dorte sits on A's board and erik declared a tie: both conflicted, at either body.
        assert {world.dorte.pk, world.erik.pk} <= found[2]
        assert found[0] and found[0] <= found[1]  # someone present, each a member


def _committee_meeting(meeting: Any, world: SimpleNamespace) -> Any:
    from cases.models import Body, Meeting

    committee = Meeting.objects.create(
        round=meeting.round, body=Body.COMMITTEE, date=meeting.date, created_by=world.carl
    )
    committee.members_present.set([world.frida])
    return committee


def test_the_pools_spending_and_who_screened_the_case_are_the_orms(
    world: SimpleNamespace, draft: Any
) -> None:
    from django.db.models import Sum

    from cases.documents.letter_context import SCREENED_BY
    from cases.models import StatusGroup
    from cases.models.hearings import standing
    from workflows.meetings import granted_in_round

    granted = advance(draft, world, "granted")
    second = ApplicationFactory(round=world.round, association=world.a)
    second.focus_areas.set([world.focus])
    advance(second, world, "recommended")

    def orm(application: Any) -> Any:
        return (
            Application.objects.filter(round_id=application.round_id)
            .annotate(standing=standing())
            .filter(standing__in=StatusGroup.GRANTED)
            .exclude(pk=application.pk)
            .aggregate(total=Sum("granted_amount"))["total"]
        )

    assert granted.granted_amount > 0
    assert granted_in_round(second) == orm(second) == granted.granted_amount
    assert granted_in_round(granted) == 0 and orm(granted) is None  # none other granted
    (accepted,) = SCREENED_BY.objects(application=granted.pk)
    orm_record = (
        TransitionRecord.objects.filter(application=granted, transition="accept")
        .select_related("actor")
        .get()
    )
    assert _concrete(accepted) == _concrete(orm_record)
    assert accepted.actor == world.carl and accepted.actor.username == "carl"
    assert SCREENED_BY.objects(application=ApplicationFactory(round=world.round).pk) == []


def test_a_named_date_is_bound_as_the_backend_writes_a_date(world: SimpleNamespace) -> None:
    import datetime

    from cases.models import Body, Meeting

    days = [datetime.date(2026, 2, 1), datetime.date(2026, 2, 15), datetime.date(2026, 3, 1)]
    for day, body in zip(days, [Body.COUNCIL, Body.COMMITTEE, Body.COUNCIL], strict=True):
        Meeting.objects.create(round=world.round, body=body, date=day)
    held = Compiled(
        lambda round, today: (
            Meeting.objects.filter(round_id=round, date__lte=today)
            .order_by("date")
            .values_list("date", "body")
        ),
        "round",
        dates=("today",),
    )
    for today in [days[0] - datetime.timedelta(days=1), *days, datetime.date(2027, 1, 1)]:
        orm = Meeting.objects.filter(round=world.round, date__lte=today).order_by("date")
        assert held.rows(round=world.round.pk, today=today) == list(orm.values_list("date", "body"))
    assert [d for d, _b in held.rows(round=world.round.pk, today=days[1])] == days[:2]
    with pytest.raises(TypeError, match="must be date"):
        held.rows(round=world.round.pk, today=datetime.datetime(2026, 2, 1, 12))


def test_completeness_reads_compiled_rows_or_what_the_page_prefetched(
    world: SimpleNamespace, draft: Any
) -> None:
    from django.db.models import Prefetch

    from cases.completeness import Facts, facts_of, missing
    from cases.models import Attachment, BudgetLine

    with CaptureQueriesContext(connection) as read:
        facts = facts_of(draft)
    assert len(read) == 1  # the lines, the attachments and the round's focus areas at once
    assert facts == Facts(
        budget_amounts=list(
            BudgetLine.objects.filter(application=draft).values_list("amount", flat=True)
        ),
        attachment_kinds=set(
            Attachment.objects.filter(application=draft).values_list("kind", flat=True)
        ),
        round_has_focus_areas=draft.round.focus_areas.exists(),
    )
    assert facts.budget_amounts and facts.attachment_kinds and facts.round_has_focus_areas
    assert all(isinstance(amount, Decimal) for amount in facts.budget_amounts)
    BudgetLine.objects.filter(application=draft).delete()
    Attachment.objects.filter(application=draft).delete()
    with CaptureQueriesContext(connection) as read:
        cold = missing(draft)
    # The compiled facts, and (the round has focus areas) whether the case names one.
    assert len(read) == 2
    assert {m.field for m in cold} == {"lines", "attachments"}
    fetched = (
        Application.objects.select_related("round")
        .prefetch_related(
            "budget_lines",
            "attachments",
            "focus_areas",
            Prefetch("round__focus_areas"),
        )
        .get(pk=draft.pk)
    )
    with CaptureQueriesContext(connection) as read:
        warm = missing(fetched)
    assert len(read) == 0 and warm == cold


def test_a_named_moment_is_bound_as_the_backend_writes_a_datetime(
    world: SimpleNamespace,
) -> None:
    import datetime

    from django.utils import timezone

    made = [
        ApplicationFactory(round=world.round, association=world.a, title=f"Nr. {i}")
        for i in range(3)
    ]
    moments = [timezone.now() - datetime.timedelta(days=d) for d in (30, 20, 10)]
    for application, moment in zip(made, moments, strict=True):
        application.decided_at = moment
        application.save(update_fields=["decided_at"])
    since = Compiled(
        lambda association, after: (
            Application.objects.filter(association_id=association, decided_at__gte=after)
            .order_by("decided_at")
            .values_list("title")
        ),
        "association",
        datetimes=("after",),
    )
    for after in [moments[0] - datetime.timedelta(seconds=1), *moments, timezone.now()]:
        orm = Application.objects.filter(association=world.a, decided_at__gte=after)
        assert since.rows(association=world.a.pk, after=after) == list(
            orm.order_by("decided_at").values_list("title")
        )
    assert since.rows(association=world.a.pk, after=moments[1]) == [("Nr. 1",), ("Nr. 2",)]
    with pytest.raises(TypeError, match="aware"):
        since.rows(association=world.a.pk, after=datetime.datetime(2026, 1, 1))


def test_a_list_of_ids_is_compiled_once_per_length(world: SimpleNamespace) -> None:
    from cases.compiled import CompiledList

    made = [
        ApplicationFactory(round=world.round, association=world.a, title=f"Nr. {i}")
        for i in range(3)
    ]
    built = []

    def build(ids: list[int], after: int) -> Any:
        built.append(len(ids))
        return (
            Application.objects.filter(pk__in=ids, pk__gt=after).order_by("pk").values_list("title")
        )

    titles = CompiledList(build, "after")
    pks = [a.pk for a in made]
    for ids in ([pks[0]], [pks[2], pks[0]], pks, [pks[1]], pks[::-1]):
        orm = Application.objects.filter(pk__in=ids, pk__gt=0).order_by("pk")
        assert titles.rows(ids, after=0) == list(orm.values_list("title"))
    assert titles.rows(pks, after=pks[0]) == [("Nr. 1",), ("Nr. 2",)]
    assert sorted(built) == [1, 2, 3]  # once per length, whatever the ids
