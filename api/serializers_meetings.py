"""What goes in and out of the API about meetings, the council's assessments and conflicts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cases import limits
from cases.models import RecommendationOutcome
from cases.parsing import validate_date_window

from .serializers import MAX_INT, MONEY, Boolean, Integer, MoneyField, NamedSerializer, Text

# --- meetings and the council --------------------------------------------------------------


class ConflictInputSerializer(serializers.Serializer):
    reason = Text(max_length=limits.TEXT)


class RulingInputSerializer(serializers.Serializer):
    meeting = Integer(
        min_value=1,
        max_value=MAX_INT,
        required=False,
        allow_null=True,
        help_text=(
            "A member's tie: the meeting of the member's body at which the body ruled, "
            "quorate without the member concerned (required). A case officer's tie is ruled "
            "on by their manager: leave it out."
        ),
    )
    conflicted = Boolean(help_text="true: disqualified, takes no part; false: takes part")
    reason = Text(max_length=4000, help_text="The reasons for the ruling")


class ConflictSerializer(serializers.Serializer):
    id = Integer()
    application = Integer(source="application_id")
    member = Integer(source="member_id", help_text="The person who declared the tie")
    role = Text(help_text="The role they declared in (case_officer, council_member, …)")
    source = Text()
    reason = Text()
    ruling = Text(help_text="pending, conflicted or not_conflicted")
    ruled_by = Integer(source="ruled_by_id", allow_null=True, help_text="Who recorded the ruling")
    ruling_reason = Text()
    ruling_meeting = Integer(
        source="ruling_meeting_id",
        allow_null=True,
        help_text="The body's meeting that ruled (null: the manager ruled, or pending)",
    )
    ruling_participants = serializers.SerializerMethodField(
        help_text="Who took part in the ruling (the body's members present, less the member)"
    )
    ruled_at = serializers.DateTimeField(allow_null=True)

    def get_ruling_participants(self, obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.ruling_participants.all())


class CriterionValueInputSerializer(serializers.Serializer):
    """One criterion's value: a score on a round scored 1–5, a verdict on a yes/partly/no one."""

    criterion = Integer(min_value=1, max_value=MAX_INT, help_text="A criterion of the round")
    score = Integer(
        required=False, allow_null=True, min_value=-MAX_INT, max_value=MAX_INT, help_text="1–5"
    )
    verdict = Text(
        required=False, allow_blank=True, max_length=10, help_text='"yes", "partly" or "no"'
    )


class AssessmentInputSerializer(serializers.Serializer):
    meeting = Integer(min_value=1, max_value=MAX_INT)
    outcome = serializers.ChoiceField(choices=RecommendationOutcome.choices)
    amount = MoneyField(required=False, allow_null=True)
    comment = Text(required=False, allow_blank=True, max_length=limits.TEXT)
    criteria = CriterionValueInputSerializer(
        many=True,
        required=False,
        max_length=100,  # a round has a handful of criteria
        help_text="The member's value per criterion of the round, when the round assesses "
        "per criterion (see the round's criteria_scoring). Sent: replaces the values "
        "recorded before (a criterion left out is no longer assessed). Left out: they stay.",
    )


class CriterionValueSerializer(serializers.Serializer):
    criterion = Integer(source="criterion_id")
    score = Integer(allow_null=True)
    verdict = Text()


class AssessmentSerializer(serializers.Serializer):
    id = Integer()
    meeting = Integer(source="meeting_id")
    application = Integer(source="application_id")
    member = Integer(source="member_id")
    outcome = Text()
    amount = serializers.DecimalField(**MONEY)
    comment = Text()
    criteria = CriterionValueSerializer(many=True, source="criterion_values.all")


class CriterionSummarySerializer(serializers.Serializer):
    """The council's values for one criterion on one item (conflicted members not counted)."""

    criterion = Integer()
    title = Text()
    count = Integer(help_text="How many members gave a value")
    average = serializers.DecimalField(
        max_digits=3, decimal_places=1, allow_null=True, help_text="The average score (1–5)"
    )
    yes = Integer()
    partly = Integer()
    no = Integer()


class MeetingInputSerializer(serializers.Serializer):
    round = Integer(min_value=1, max_value=MAX_INT)
    body = serializers.ChoiceField(choices=["council", "committee"])
    date = serializers.DateField(validators=[validate_date_window])
    members_present = serializers.ListField(
        child=Integer(min_value=1, max_value=MAX_INT),
        required=False,
        max_length=200,
    )


class AgendaItemInputSerializer(serializers.Serializer):
    application = Integer(min_value=1, max_value=MAX_INT)


class MeetingSummarySerializer(serializers.Serializer):
    id = Integer()
    round = Integer(source="round_id")
    body = Text()
    date = serializers.DateField()
    members_present = serializers.SerializerMethodField()
    item_count = Integer()

    def get_members_present(self, obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.members_present.all())


class MemberSerializer(serializers.Serializer):
    id = Integer()
    name = Text()
    roles = serializers.ListField(child=Text())


class ItemApplicationSerializer(serializers.Serializer):
    id = Integer()
    case_number = Text()
    title = Text()
    association = NamedSerializer()
    status = Text()
    amount_requested = serializers.DecimalField(allow_null=True, **MONEY)
    recommendation_outcome = Text()
    recommended_amount = serializers.DecimalField(allow_null=True, **MONEY)
    granted_amount = serializers.DecimalField(allow_null=True, **MONEY)
    focus_areas = serializers.ListField(child=Text())


class ItemConflictSerializer(serializers.Serializer):
    member = Integer()
    source = Text()
    reason = Text()
    ruling = Text()
    present = Boolean()
    excludes = Boolean()


class VoteSerializer(serializers.Serializer):
    """The vote on a recommendation or decision (the transition record's ``payload["vote"]``)."""

    # "for" is a Python keyword: the field is added in get_fields.
    against = Integer()
    abstaining = Integer()
    unanimous = Boolean()

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"for": Integer(), **super().get_fields()}


class QuorumSerializer(serializers.Serializer):
    """Is the body quorate on the item: members present who are not disqualified, and the
    number needed (``permissions.meeting_quorum``)."""

    met = Boolean()
    present = serializers.ListField(child=Integer())
    required = Integer()
    conflicted = serializers.ListField(child=Integer())


class ActionSerializer(serializers.Serializer):
    transition = Text()
    heading = Text()
    outcome = Text()
    amount = serializers.DecimalField(allow_null=True, **MONEY)
    reasons = Text()
    vote = VoteSerializer(allow_null=True)
    minority = Text()
    decision_date = serializers.DateField(allow_null=True)
    at = serializers.DateTimeField()
    actor_name = Text()
    criteria = serializers.ListField(
        child=Text(), help_text="The titles of the criteria a recommendation rests on"
    )


class CountSerializer(serializers.Serializer):
    label = Text()
    count = Integer()


class AgendaItemSerializer(serializers.Serializer):
    number = Integer()
    application = ItemApplicationSerializer()
    conflicts = ItemConflictSerializer(many=True)
    recused = serializers.ListField(child=Integer())
    criteria = CriterionSummarySerializer(
        many=True,
        help_text="Per criterion of the round, the council's values: at a council meeting "
        "those recorded there, at a committee meeting those of the council meeting that "
        "assessed the item. Empty when the round is not assessed per criterion.",
    )
    quorum = QuorumSerializer()


class MinutesItemSerializer(AgendaItemSerializer):
    actions = ActionSerializer(many=True)
    assessments = CountSerializer(many=True)


class TotalsSerializer(serializers.Serializer):
    requested = serializers.DecimalField(**MONEY)
    recommended = serializers.DecimalField(**MONEY)
    pool = serializers.DecimalField(**MONEY)
    granted = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)


class MinutesTotalsSerializer(TotalsSerializer):
    granted_here = serializers.DecimalField(**MONEY)
    recommended_here = serializers.DecimalField(**MONEY)


class AgendaSerializer(serializers.Serializer):
    id = Integer()
    round = Integer()
    body = Text()
    body_name = Text()
    date = serializers.DateField()
    present = MemberSerializer(many=True)
    absent = MemberSerializer(many=True)
    quorate = Boolean(help_text="The body is quorate on every item of the agenda.")
    items = AgendaItemSerializer(many=True)
    totals = TotalsSerializer()


class MinutesRulingSerializer(serializers.Serializer):
    case_number = Text()
    member = Text(help_text="The member concerned, who took no part")
    ruling = Text()
    ruling_reason = Text()
    participants = serializers.ListField(child=Text(), help_text="Who took part in the ruling")
    recorded_by = Text()


class MinutesSerializer(AgendaSerializer):
    items = MinutesItemSerializer(many=True)
    rulings = MinutesRulingSerializer(many=True)
    totals = MinutesTotalsSerializer()
    dealt_with = Integer()
