"""The API's reads and writes for who-am-I, rounds, associations and sign-in.

Thin, like the screens: an access helper (404 / 403), one service or transition,
a serializer. Applications are in views_applications.py, meetings in views_meetings.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import roles
from cases.models import AssociationMember, GrantRound, StaffRole
from cases.selectors.criteria import with_round_texts

from .authentication import two_factor, two_factor_required
from .models import ApiToken
from .serializers import (
    AssociationSerializer,
    MeSerializer,
    RoundSerializer,
    TokenInputSerializer,
    TokenSerializer,
)
from .throttles import ClientAddressScopedThrottle


class TokenView(APIView):
    """Exchange a username and password (and a one-time code where required) for a token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInputSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Through authenticate(), so the login lockout counts API failures as well.
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            # Answered here as JSON; cleared so that django-axes' middleware does not put
            # the screens' HTML lockout page in its place.
            request._request.axes_locked_out = False
            return Response(
                {"detail": _("Too many failed sign-ins. Try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"detail": _("The username or password is wrong, or the account is locked.")}
            )
        if two_factor_required(user):
            code = data.validated_data.get("otp") or ""
            if not code:
                raise serializers.ValidationError(
                    {"otp": [_("Enter the code from your authenticator app.")]}
                )
            if not two_factor().verify(user, code):
                raise serializers.ValidationError(
                    {"otp": [_("The code is wrong or has expired. Try the next one.")]}
                )
        token, key = ApiToken.issue(user)
        return Response(
            TokenSerializer({"token": key, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Revoke the token this request is made with."""
        from .authentication import TokenAuthentication

        result = TokenAuthentication().authenticate(request)
        if result is None:
            return Response(
                {"detail": _("Send the token to revoke in the Authorization header.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result[1].delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        roles = StaffRole.objects.filter(user=user).select_related("municipality")
        ties = AssociationMember.objects.filter(user=user).select_related("association")
        body = {
            "id": user.pk,
            "username": user.get_username(),
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "email": getattr(user, "email", ""),
            "roles": [
                {
                    "municipality": {"id": r.municipality_id, "name": r.municipality.name},
                    "role": r.role,
                }
                for r in roles.order_by("municipality__name", "role")
            ],
            "associations": list(ties.order_by("association__name")),
            "two_factor_required": two_factor_required(user),
        }
        return Response(MeSerializer(body).data)


def rounds_for(user: Any) -> QuerySet[GrantRound]:
    """Staff see their municipalities' rounds; everyone sees the rounds open for applications."""
    now = timezone.now()
    return with_round_texts(
        GrantRound.objects.filter(
            Q(municipality_id__in=roles.profile(user).municipality_ids)
            | Q(opens_at__lte=now, deadline__gte=now)
        )
        .select_related("municipality")
        .prefetch_related("focus_areas")
        .order_by("-deadline", "pk")
    )


class RoundList(generics.ListAPIView):
    serializer_class = RoundSerializer

    def get_queryset(self) -> QuerySet[GrantRound]:
        return rounds_for(self.request.user)


class RoundDetail(generics.RetrieveAPIView):
    serializer_class = RoundSerializer

    def get_queryset(self) -> QuerySet[GrantRound]:
        return rounds_for(self.request.user)


class AssociationList(generics.ListAPIView):
    serializer_class = AssociationSerializer

    def get_queryset(self) -> QuerySet[AssociationMember]:
        return (
            AssociationMember.objects.filter(user_id=self.request.user.pk)
            .select_related("association")
            .order_by("association__name", "pk")
        )
