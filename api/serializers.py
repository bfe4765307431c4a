"""What goes in and out of the API. Amounts are decimal strings (DKK); times ISO 8601."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import limits
from cases.completeness import BUDGET_LINES, missing
from cases.models import (
    Application,
    ApplicationStatus,
    Attachment,
    AttachmentKind,
    BudgetLine,
    CriteriaScoring,
    GrantRound,
    HearingOutcome,
    RecommendationOutcome,
    Role,
)
from cases.parsing import parse_int, validate_date_window

MAX_INT = limits.MAX_INT
MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


class Text(serializers.CharField):
    """A string, and only a string: DRF would quietly turn 5 into "5"."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Integer(serializers.IntegerField):
    """A whole number; 5.0 and true are refused (DRF would take 5.0 as 5), and text only as
    ASCII digits by ``cases.parsing.parse_int`` (DRF's ``int()`` takes "٣" and "１")."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool | float):
            self.fail("invalid")
        if (
            isinstance(data, str)
            and parse_int(data, minimum=None, maximum=None, signed=True) is None
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class Boolean(serializers.BooleanField):
    """true or false; in a multipart form also the strings "true" / "false"."""

    def to_internal_value(self, data: Any) -> Any:
        request = self.context.get("request") if hasattr(self, "parent") else None
        multipart = request is not None and str(request.content_type).startswith("multipart/")
        if isinstance(data, bool) or (multipart and data in ("true", "false")):
            return super().to_internal_value(data)
        self.fail("invalid", input=data)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "25000.00"}
)
class MoneyField(serializers.DecimalField):
    """An amount in DKK as a decimal string ("25000.00"), as the API writes them too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, **MONEY, **kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if isinstance(data, str) and not data.strip():  # DRF would read "" as null
            self.fail("invalid")
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not re.match(MONEY_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- reference data ------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = Integer()
    name = Text()


class RoundConditionSerializer(serializers.Serializer):
    id = Integer()
    text = Text(help_text="The condition of eligibility")
    help_text = Text(help_text="What it means, for the applicant")


class RoundCriterionSerializer(serializers.Serializer):
    id = Integer()
    title = Text(help_text="The assessment criterion")
    help_text = Text(help_text="What it means, for the applicant")


class RoundSerializer(serializers.ModelSerializer):
    municipality = NamedSerializer()
    focus_areas = NamedSerializer(many=True)
    purpose = Text(read_only=True, help_text="What the round supports")
    criteria_scoring = serializers.ChoiceField(
        choices=CriteriaScoring.choices,
        read_only=True,
        help_text="How the council assesses each criterion: not at all, 1–5, or yes/partly/no",
    )
    conditions = RoundConditionSerializer(many=True, read_only=True)
    criteria = RoundCriterionSerializer(many=True, read_only=True)
    required_attachments = serializers.ListField(
        child=serializers.ChoiceField(choices=AttachmentKind.choices)
    )
    is_open = serializers.SerializerMethodField()
    flow = Text(
        read_only=True,
        help_text="The flow its applications follow: application (council and committee), "
        "quick_pool (the case officer decides) or older_people (§ 79); an application's "
        "GET …/transitions lists what its flow offers",
    )
    decided_by_administration = serializers.BooleanField(
        read_only=True, help_text="Decided by the case officer (no committee on the flow's path)"
    )

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
            "flow",
            "decided_by_administration",
            "council_meeting_date",
            "committee_meeting_date",
            "report_deadline",
            "required_attachments",
            "focus_areas",
            "purpose",
            "conditions",
            "criteria",
            "criteria_scoring",
        ]

    def get_is_open(self, obj: GrantRound) -> bool:
        return obj.is_open()


class AssociationSerializer(serializers.Serializer):
    """One of the user's associations, with the user's tie to it."""

    id = Integer(source="association.id")
    name = Text(source="association.name")
    cvr = Text(source="association.cvr")
    address = Text(source="association.address")
    postal_code = Text(source="association.postal_code")
    city = Text(source="association.city")
    contact_person = Text(source="association.contact_person")
    email = Text(source="association.email")
    phone = Text(source="association.phone")
    represents = Boolean(source="can_represent")
    board_member = Boolean(source="is_board_member")


class StaffRoleSerializer(serializers.Serializer):
    municipality = NamedSerializer()
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer):
    id = Integer()
    username = Text()
    first_name = Text()
    last_name = Text()
    email = Text()
    roles = StaffRoleSerializer(many=True)
    associations = AssociationSerializer(many=True)
    two_factor_required = Boolean()


# --- applications --------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer):
    description = Text(max_length=limits.SHORT_TEXT)
    amount = MoneyField()

    class Meta:
        model = BudgetLine
        fields = ["description", "amount"]


class DeclarationsSerializer(serializers.Serializer):
    correct = Boolean(required=False)
    works_with_children = Boolean(required=False)
    child_certificates_obtained = Boolean(required=False)


DECLARATION_FIELDS = {
    "correct": "declaration_correct",
    "works_with_children": "works_with_children",
    "child_certificates_obtained": "child_certificates_obtained",
}


class ApplicationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = Text(source="get_status_display")
    focus_areas = serializers.SerializerMethodField()
    budget_lines = BudgetLineSerializer(many=True)
    declarations = serializers.SerializerMethodField()
    is_paper = Boolean()
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
            "decision_date",
            "closed_at",
            "case_officer",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "case_officer": {
                "help_text": "The id of the case officer the case is assigned to; null: nobody."
            }
        }

    def get_focus_areas(self, obj: Application) -> list[int]:
        return sorted(f.pk for f in obj.focus_areas.all())

    def get_declarations(self, obj: Application) -> dict[str, bool]:
        return {key: getattr(obj, field) for key, field in DECLARATION_FIELDS.items()}


class ApplicationInputSerializer(serializers.Serializer):
    """A draft's content; on PATCH every field is optional."""

    round = Integer(min_value=1, max_value=MAX_INT)
    association = Integer(min_value=1, max_value=MAX_INT)
    received_at = serializers.DateTimeField(
        required=False,
        validators=[validate_date_window],
        help_text="Only for a case officer registering a paper application: when it was received.",
    )
    title = Text(max_length=limits.SHORT_TEXT)
    purpose = Text(required=False, allow_blank=True, max_length=limits.TEXT)
    target_group = Text(required=False, allow_blank=True, max_length=limits.TEXT)
    activity_description = Text(required=False, allow_blank=True, max_length=limits.TEXT)
    focus_areas = serializers.ListField(
        child=Integer(min_value=1, max_value=MAX_INT),
        required=False,
        max_length=100,
    )
    volunteers = Integer(required=False, allow_null=True, min_value=0, max_value=MAX_INT)
    members = Integer(required=False, allow_null=True, min_value=0, max_value=MAX_INT)
    participants = Integer(required=False, allow_null=True, min_value=0, max_value=MAX_INT)
    amount_requested = MoneyField(required=False, allow_null=True)
    other_funding = MoneyField(required=False, allow_null=True)
    other_funding_note = Text(required=False, allow_blank=True, max_length=limits.TEXT)
    declarations = DeclarationsSerializer(required=False)
    budget_lines = BudgetLineSerializer(many=True, required=False, max_length=100)
    version = Integer(
        required=False,
        min_value=0,
        max_value=MAX_INT,
        help_text="The version you last saw; 409 if the application has moved on since.",
    )

    def draft_data(self) -> dict[str, Any]:
        """The draft fields by the model's names, as ``cases.services.applications`` takes them."""
        data = dict(self.validated_data)
        for key in ("round", "association", "received_at", "focus_areas", "budget_lines"):
            data.pop(key, None)
        data.pop("version", None)
        for key, value in (data.pop("declarations", None) or {}).items():
            data[DECLARATION_FIELDS[key]] = value
        return data


class ApplicationPatchSerializer(ApplicationInputSerializer):
    round = None  # type: ignore[assignment]
    association = None  # type: ignore[assignment]
    received_at = None
    title = Text(max_length=limits.SHORT_TEXT, required=False)


class ApplicationFilterSerializer(serializers.Serializer):
    round = Integer(required=False, min_value=1, max_value=MAX_INT)
    association = Integer(required=False, min_value=1, max_value=MAX_INT)
    status = serializers.ChoiceField(required=False, choices=ApplicationStatus.choices)


class AttachmentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "size", "content_type", "uploaded_at"]


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file = serializers.FileField()


class TrailRecordSerializer(serializers.Serializer):
    """One record of a case's trail as the caller may see it (cases/trail/disclosure.py).

    The municipality's staff get every record as stored, with its hashes. The association
    gets the steps that concern its case: numbered as shown, without the actor's id, the
    hashes, internal notes or the bodies' internal workings, and with the council or the
    committee named as the body that acted.
    """

    seq = Integer(help_text="1, 2, 3 … in the trail as the caller sees it")
    flow = Text()
    transition = Text()
    from_state = Text()
    to_state = Text()
    actor = Integer(allow_null=True, help_text="The acting user's id; null for the association")
    actor_name = Text(help_text="Who acted: a person, or the council or committee as a body")
    role = Text(help_text="The role the person acted in; empty when a body acted")
    body = Text(help_text='"council" or "committee" when a body acted, else empty')
    created_at = serializers.DateTimeField()
    reason = Text()
    payload = serializers.JSONField()
    prev_hash = Text(help_text="Empty for the association")
    hash = Text(help_text="Empty for the association")


# --- transitions ---------------------------------------------------------------------------


class TransitionFieldSerializer(serializers.Serializer):
    name = Text()
    type = serializers.ChoiceField(
        choices=[
            "text",
            "decimal",
            "integer",
            "integers",
            "date",
            "boolean",
            "choice",
            "lines",
            "files",
        ],
        help_text="lines: a JSON array of {budget_line, description, spent}; files: one "
        "multipart part per kind, named attachment_<kind>; integers: a JSON array of ids "
        "(e.g. ground_conditions: the round's conditions of eligibility, see the round)",
    )
    choices = serializers.ListField(child=Text())


class TransitionSerializer(serializers.Serializer):
    name = Text()
    label = Text()
    fields = TransitionFieldSerializer(many=True)


class TokenInputSerializer(serializers.Serializer):
    username = Text(max_length=150)
    password = Text(max_length=limits.PASSWORD, trim_whitespace=False)
    otp = Text(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The six-digit code from the authenticator app, for staff whose municipality requires two-factor sign-in.",
    )


class TokenSerializer(serializers.Serializer):
    token = Text()
    expires_at = serializers.DateTimeField(allow_null=True)


class HearingAttachmentSerializer(serializers.Serializer):
    id = Integer()
    original_name = Text()
    size = Integer()
    content_type = Text()


class HearingSerializer(serializers.Serializer):
    """A hearing (partshøring, fvl. § 19): what the association is heard on, until when,
    and how it ended ("" while open; answered / expired / withdrawn; closed: the application
    was withdrawn during it)."""

    id = Integer()
    facts = Text()
    concerns = Text()
    deadline = serializers.DateField()
    returns_to = serializers.ChoiceField(choices=ApplicationStatus.choices, source="return_state")
    started_at = serializers.DateTimeField()
    answer = Text()
    answered_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=[("", ""), *HearingOutcome.choices], allow_blank=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    attachments = HearingAttachmentSerializer(many=True)


class MissingSerializer(serializers.Serializer):
    """One thing the submit rule still misses (``cases.completeness``): the field, as the
    draft's PATCH names it ("budget_lines", "attachments" for those), and why."""

    field = Text()
    message = Text()


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application, with its hearings and, for a draft, what submitting still needs
    (the same list the review page shows; empty once submitted)."""

    hearings = HearingSerializer(many=True)
    missing = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "hearings", "missing"]

    @extend_schema_field(MissingSerializer(many=True))
    def get_missing(self, application: Application) -> list[dict[str, str]]:
        if application.status != ApplicationStatus.DRAFT:
            return []
        return [
            {"field": "budget_lines" if m.field == BUDGET_LINES else m.field, "message": m.message}
            for m in missing(application)
        ]
