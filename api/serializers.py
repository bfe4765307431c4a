"""What goes in and out of the API. Amounts are decimal strings (DKK); times ISO 8601."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    Application,
    ApplicationStatus,
    Attachment,
    AttachmentKind,
    BudgetLine,
    GrantRound,
    RecommendationOutcome,
    Role,
)
from workflows.models import TransitionRecord

MAX_INT = 2_147_483_647
MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "25000.00"}
)
class MoneyField(serializers.DecimalField):
    """An amount in DKK as a decimal string ("25000.00"), as the API writes them too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, **MONEY, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not re.match(MONEY_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- reference data ------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RoundSerializer(serializers.ModelSerializer):
    municipality = NamedSerializer()
    focus_areas = NamedSerializer(many=True)
    required_attachments = serializers.ListField(
        child=serializers.ChoiceField(choices=AttachmentKind.choices)
    )
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = GrantRound
        fields = [
            "id",
            "name",
            "scheme",
            "municipality",
            "opens_at",
            "deadline",
            "is_open",
            "pool_amount",
            "ceiling_per_application",
            "decided_by_administration",
            "council_meeting_date",
            "committee_meeting_date",
            "report_deadline",
            "required_attachments",
            "focus_areas",
        ]

    def get_is_open(self, obj: GrantRound) -> bool:
        return obj.is_open()


class AssociationSerializer(serializers.Serializer):
    """One of the user's associations, with the user's tie to it."""

    id = serializers.IntegerField(source="association.id")
    name = serializers.CharField(source="association.name")
    cvr = serializers.CharField(source="association.cvr")
    address = serializers.CharField(source="association.address")
    postal_code = serializers.CharField(source="association.postal_code")
    city = serializers.CharField(source="association.city")
    contact_person = serializers.CharField(source="association.contact_person")
    email = serializers.CharField(source="association.email")
    phone = serializers.CharField(source="association.phone")
    represents = serializers.BooleanField(source="can_represent")
    board_member = serializers.BooleanField(source="is_board_member")


class StaffRoleSerializer(serializers.Serializer):
    municipality = NamedSerializer()
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    roles = StaffRoleSerializer(many=True)
    associations = AssociationSerializer(many=True)
    two_factor_required = serializers.BooleanField()


# --- applications --------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer):
    description = serializers.CharField(max_length=200)
    amount = MoneyField()

    class Meta:
        model = BudgetLine
        fields = ["description", "amount"]


class DeclarationsSerializer(serializers.Serializer):
    correct = serializers.BooleanField(required=False)
    works_with_children = serializers.BooleanField(required=False)
    child_certificates_obtained = serializers.BooleanField(required=False)


DECLARATION_FIELDS = {
    "correct": "declaration_correct",
    "works_with_children": "works_with_children",
    "child_certificates_obtained": "child_certificates_obtained",
}


class ApplicationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    focus_areas = serializers.SerializerMethodField()
    budget_lines = BudgetLineSerializer(many=True)
    declarations = serializers.SerializerMethodField()
    is_paper = serializers.BooleanField()
    recommendation_outcome = serializers.ChoiceField(
        choices=RecommendationOutcome.choices,
        allow_blank=True,
        help_text="Empty until the council has recommended.",
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "case_number",
            "status",
            "status_label",
            "version",
            "municipality",
            "round",
            "association",
            "title",
            "purpose",
            "target_group",
            "activity_description",
            "focus_areas",
            "volunteers",
            "members",
            "participants",
            "amount_requested",
            "other_funding",
            "other_funding_note",
            "declarations",
            "budget_lines",
            "is_paper",
            "received_at",
            "submitted_at",
            "open_question",
            "recommendation_outcome",
            "recommended_amount",
            "recommendation_reasons",
            "granted_amount",
            "decision_reasons",
            "decided_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def get_focus_areas(self, obj: Application) -> list[int]:
        return sorted(f.pk for f in obj.focus_areas.all())

    def get_declarations(self, obj: Application) -> dict[str, bool]:
        return {key: getattr(obj, field) for key, field in DECLARATION_FIELDS.items()}


class ApplicationInputSerializer(serializers.Serializer):
    """A draft's content; on PATCH every field is optional."""

    round = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    association = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    received_at = serializers.DateTimeField(
        required=False,
        help_text="Only for a case officer registering a paper application: when it was received.",
    )
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    target_group = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    activity_description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    focus_areas = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_INT),
        required=False,
        max_length=100,
    )
    volunteers = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT
    )
    members = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT
    )
    participants = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT
    )
    amount_requested = MoneyField(required=False, allow_null=True)
    other_funding = MoneyField(required=False, allow_null=True)
    other_funding_note = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    declarations = DeclarationsSerializer(required=False)
    budget_lines = BudgetLineSerializer(many=True, required=False, max_length=100)
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_INT,
        help_text="The version you last saw; 409 if the application has moved on since.",
    )

    def draft_data(self) -> dict[str, Any]:
        """The draft fields by the model's names, as ``cases.services`` takes them."""
        data = dict(self.validated_data)
        for key in ("round", "association", "received_at", "focus_areas", "budget_lines"):
            data.pop(key, None)
        data.pop("version", None)
        for key, value in (data.pop("declarations", None) or {}).items():
            data[DECLARATION_FIELDS[key]] = value
        return data


class ApplicationPatchSerializer(ApplicationInputSerializer):
    round = None
    association = None
    received_at = None
    title = serializers.CharField(max_length=200, required=False)


class ApplicationFilterSerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    association = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    status = serializers.ChoiceField(required=False, choices=ApplicationStatus.choices)


class AttachmentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "size", "content_type", "uploaded_at"]


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file = serializers.FileField()


class TrailRecordSerializer(serializers.ModelSerializer):
    payload = serializers.JSONField()

    class Meta:
        model = TransitionRecord
        fields = [
            "seq",
            "flow",
            "transition",
            "from_state",
            "to_state",
            "actor",
            "actor_name",
            "role",
            "created_at",
            "reason",
            "payload",
            "prev_hash",
            "hash",
        ]


# --- meetings and the council --------------------------------------------------------------


class ConflictInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20000)


class ConflictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    member = serializers.IntegerField(source="member_id")
    source = serializers.CharField()
    reason = serializers.CharField()
    ruling = serializers.CharField()


class AssessmentInputSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    outcome = serializers.ChoiceField(choices=["grant", "partial", "refuse"])
    amount = MoneyField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    application = serializers.IntegerField(source="application_id")
    member = serializers.IntegerField(source="member_id")
    outcome = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    comment = serializers.CharField()


class MeetingInputSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    body = serializers.ChoiceField(choices=["council", "committee"])
    date = serializers.DateField()
    members_present = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_INT),
        required=False,
        max_length=200,
    )


class AgendaItemInputSerializer(serializers.Serializer):
    application = serializers.IntegerField(min_value=1, max_value=MAX_INT)


class MeetingSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id")
    body = serializers.CharField()
    date = serializers.DateField()
    members_present = serializers.SerializerMethodField()
    item_count = serializers.IntegerField()

    def get_members_present(self, obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.members_present.all())


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class ItemApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField()
    title = serializers.CharField()
    association = NamedSerializer()
    status = serializers.CharField()
    amount_requested = serializers.DecimalField(allow_null=True, **MONEY)
    recommendation_outcome = serializers.CharField()
    recommended_amount = serializers.DecimalField(allow_null=True, **MONEY)
    granted_amount = serializers.DecimalField(allow_null=True, **MONEY)
    focus_areas = serializers.ListField(child=serializers.CharField())


class ItemConflictSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    source = serializers.CharField()
    reason = serializers.CharField()
    ruling = serializers.CharField()
    present = serializers.BooleanField()
    excludes = serializers.BooleanField()


class ActionSerializer(serializers.Serializer):
    transition = serializers.CharField()
    heading = serializers.CharField()
    outcome = serializers.CharField()
    amount = serializers.DecimalField(allow_null=True, **MONEY)
    reasons = serializers.CharField()
    at = serializers.DateTimeField()
    actor_name = serializers.CharField()


class CountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class AgendaItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    application = ItemApplicationSerializer()
    conflicts = ItemConflictSerializer(many=True)
    recused = serializers.ListField(child=serializers.IntegerField())


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
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    body = serializers.CharField()
    body_name = serializers.CharField()
    date = serializers.DateField()
    present = MemberSerializer(many=True)
    absent = MemberSerializer(many=True)
    items = AgendaItemSerializer(many=True)
    totals = TotalsSerializer()


class MinutesSerializer(AgendaSerializer):
    items = MinutesItemSerializer(many=True)
    totals = MinutesTotalsSerializer()
    dealt_with = serializers.IntegerField()


# --- transitions ---------------------------------------------------------------------------


class TransitionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["text", "decimal", "integer", "date", "boolean", "choice", "lines", "files"],
        help_text="lines: a JSON array of {budget_line, description, spent}; files: one "
        "multipart part per kind, named attachment_<kind>",
    )
    choices = serializers.ListField(child=serializers.CharField())


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    fields = TransitionFieldSerializer(many=True)


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The six-digit code from the authenticator app, for staff whose municipality requires two-factor sign-in.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
