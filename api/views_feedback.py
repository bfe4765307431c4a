"""The associations' voice in the API (issue 20): the association answers the questionnaire
on its application (or says no thanks); the municipality's staff read a round's results,
which never name an association. The same services and rules as the screens
(cases/services/feedback.py, cases/selectors/feedback.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, limits, roles
from cases.models import Feedback, GrantRound, TimeSpent, UnclearPart
from cases.selectors import feedback as selectors
from cases.services import feedback as services

from .errors import Conflict
from .parsers import JSONParser
from .serializers import Boolean, Integer, Text


class FeedbackSerializer(serializers.Serializer):
    declined = Boolean(help_text="True: the association said no thanks; nothing else is kept.")
    ease = Integer(allow_null=True, help_text="1 (very hard) to 5 (very easy), or null")
    time_spent = Text(help_text="under_1_hour, hours_1_3, half_day, day_or_more, or empty")
    unclear = serializers.ListField(child=Text(), help_text="Parts that were unclear")
    comment = Text()
    answered_at = serializers.DateTimeField()


class FeedbackStateSerializer(serializers.Serializer):
    open = Boolean(help_text="True: decided, and neither answered nor declined yet")
    answer = FeedbackSerializer(allow_null=True)


class FeedbackInputSerializer(serializers.Serializer):
    declined = Boolean(
        required=False, default=False, help_text="true: no thanks (the other fields are ignored)"
    )
    ease = Integer(
        required=False, allow_null=True, min_value=1, max_value=5, help_text="1 to 5, optional"
    )
    time_spent = serializers.ChoiceField(
        choices=[*TimeSpent.values, ""], required=False, allow_blank=True
    )
    unclear = serializers.ListField(
        child=serializers.ChoiceField(choices=UnclearPart.values),
        required=False,
        max_length=len(UnclearPart.values),
    )
    comment = Text(required=False, allow_blank=True, max_length=limits.TEXT)


class ShareSerializer(serializers.Serializer):
    key = Text()
    label = Text()
    count = Integer()


class ResultsSerializer(serializers.Serializer):
    invited = Integer(help_text="Decided applications: each association was invited once")
    answered = Integer()
    declined = Integer()
    suppressed = Boolean(
        help_text="Fewer answers than min_answers: only the counts are given, to protect "
        "those who answered"
    )
    min_answers = Integer()
    average_ease = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    ease = ShareSerializer(many=True)
    time_spent = ShareSerializer(many=True)
    unclear = ShareSerializer(many=True)
    comments = serializers.ListField(child=Text(), help_text="Without names, in alphabetical order")


class ApplicationFeedback(APIView):
    parser_classes = [JSONParser]

    def _application(self, request: Request, pk: int) -> Any:
        application = access.get_application_for(request.user, pk)
        # Only the association reads or gives its own answer; staff never see one answer.
        if not roles.represents(request.user, application):
            raise PermissionDenied(
                _("Only the association that applied answers the questionnaire.")
            )
        return application

    @extend_schema(responses=FeedbackStateSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """Whether the association may answer now, and its answer if it has given one."""
        application = self._application(request, pk)
        answer = Feedback.objects.filter(application=application).first()
        body = {
            "open": answer is None and services.feedback_refusal(request.user, application) is None,
            "answer": FeedbackSerializer(answer).data if answer is not None else None,
        }
        return Response(body)

    @extend_schema(
        request=FeedbackInputSerializer,
        responses={
            201: FeedbackSerializer,
            409: OpenApiResponse(
                description="Answered or declined already, or no decision made yet"
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Answer the questionnaire once the decision is made (or decline it: ``declined``).
        Once only: a second answer is 409."""
        application = self._application(request, pk)
        refusal = services.feedback_refusal(request.user, application)
        if refusal is not None:  # the association's own case, not decided yet
            raise Conflict(refusal)
        data = FeedbackInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values.get("declined"):
                answer = services.feedback_decline(
                    application=application, acting_user=request.user
                )
            else:
                answer = services.feedback_answer(
                    application=application,
                    acting_user=request.user,
                    ease=values.get("ease"),
                    time_spent=values.get("time_spent", ""),
                    unclear=values.get("unclear", []),
                    comment=values.get("comment", ""),
                )
        except services.AlreadyAnswered as error:
            raise Conflict(_("The questionnaire has been answered already.")) from error
        return Response(FeedbackSerializer(answer).data, status=status.HTTP_201_CREATED)


class RoundFeedback(APIView):
    @extend_schema(responses=ResultsSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The questionnaire's results for a round: counts, the average, the distributions and
        the comments, never naming an association. The municipality's staff only."""
        grant_round = get_object_or_404(GrantRound, pk=pk)
        if not selectors.may_read_results(request.user, grant_round.municipality_id):
            raise Http404(_("No such grant round."))
        return Response(ResultsSerializer(selectors.round_results(grant_round)).data)
