"""What goes in and out of the API about requests for access to documents (aktindsigt)."""

from __future__ import annotations

from rest_framework import serializers

from cases import limits
from cases.documents.redaction import GROUNDS, ITEM_KINDS
from cases.models import AccessDecision, AccessRequest, AccessScope, RequesterKind
from cases.parsing import validate_date_window
from cases.selectors.access_requests import is_overdue

from .serializers import MAX_INT, Integer, Text

GROUND_HELP = "; ".join(f"{code}: offentlighedslovens {law}" for code, (law, _l) in GROUNDS.items())


class AccessRequestInputSerializer(serializers.Serializer):
    municipality = Integer(
        min_value=1,
        max_value=MAX_INT,
        required=False,
        help_text="The municipality; needed only for a case officer of more than one",
    )
    requester_name = Text(max_length=limits.SHORT_TEXT)
    requester_kind = serializers.ChoiceField(choices=RequesterKind.values, default="citizen")
    requester_email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    requester_address = Text(required=False, allow_blank=True, max_length=limits.SHORT_TEXT)
    received_on = serializers.DateField(validators=[validate_date_window])
    scope = serializers.ChoiceField(choices=AccessScope.values)
    round = Integer(min_value=1, max_value=MAX_INT, required=False, allow_null=True)
    applications = serializers.ListField(
        child=Integer(min_value=1, max_value=MAX_INT), required=False, max_length=1000
    )
    text = Text(max_length=limits.TEXT)


class AccessExtendSerializer(serializers.Serializer):
    until = serializers.DateField(validators=[validate_date_window])
    reason = Text(max_length=limits.TEXT)


class AccessDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=AccessDecision.values)
    reasons = Text(required=False, allow_blank=True, max_length=limits.TEXT)
    complaint_guidance = Text(
        required=False,
        allow_blank=True,
        max_length=limits.TEXT,
        help_text="Required for partial access and refusal; blank takes the municipality's text",
    )


class ExemptItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(ITEM_KINDS))
    id = Integer(min_value=1, max_value=MAX_INT)
    ground = serializers.ChoiceField(choices=list(GROUNDS), help_text=GROUND_HELP)


class AccessHandOutSerializer(serializers.Serializer):
    declarations = serializers.ChoiceField(
        choices=["", *GROUNDS], required=False, default="", help_text=GROUND_HELP
    )
    contact_details = serializers.ChoiceField(
        choices=["", *GROUNDS], required=False, default="", help_text=GROUND_HELP
    )
    items = ExemptItemSerializer(many=True, required=False, default=list)


class AccessRequestSerializer(serializers.Serializer):
    id = Integer()
    municipality = Integer(source="municipality_id")
    requester_name = Text()
    requester_kind = Text()
    requester_email = Text()
    requester_address = Text()
    received_on = serializers.DateField()
    scope = Text()
    round = Integer(source="round_id", allow_null=True)
    applications = serializers.SerializerMethodField()
    text = Text()
    deadline = serializers.DateField()
    due_on = serializers.DateField(help_text="The deadline, or the extended date once set")
    overdue = serializers.SerializerMethodField()
    status = Text()
    extended_until = serializers.DateField(allow_null=True)
    extension_reason = Text()
    decision = Text()
    decision_reasons = Text()
    complaint_guidance = Text()
    decided_at = serializers.DateTimeField(allow_null=True)
    handled_by = Integer(source="handled_by_id", allow_null=True)
    export_sha256 = Text()
    handed_out_at = serializers.DateTimeField(allow_null=True)
    redactions = serializers.JSONField()

    def get_applications(self, obj: AccessRequest) -> list[int]:
        return sorted(a.pk for a in obj.applications.all())

    def get_overdue(self, obj: AccessRequest) -> bool:
        return is_overdue(obj)
