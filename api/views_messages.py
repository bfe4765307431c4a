"""The thread of a case (issue 17): read it, and write a message with files. The same
rules and services as the screens (cases/permissions.py ``message_refusal``,
cases/services/case_messages.py, cases/selectors/messages.py).

A message is never changed nor deleted: GET and POST only (anything else is 405).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, limits, permissions
from cases.models import SentAs
from cases.selectors.messages import ThreadEntry, case_thread
from cases.services.case_messages import MAX_DOCUMENTS, message_send

from .parsers import JSONParser
from .serializers import Integer, Text
from .serializers_notes import LocalDateTime


class ThreadDocumentSerializer(serializers.Serializer):
    id = Integer(
        source="pk",
        allow_null=True,
        help_text="The received document's id (GET /received-documents/{id}/file); "
        "null once the case's retention has removed it.",
    )
    name = Text()
    size = Integer()
    sha256 = Text()


class ThreadEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["question", "answer", "message", "hearing_started", "hearing_answered"]
    )
    side = serializers.ChoiceField(choices=SentAs.values, help_text="Who wrote it.")
    author = Text()
    at = LocalDateTime()
    text = Text(help_text="Empty for a message whose text the case's retention removed.")
    message = Integer(allow_null=True, help_text="The message's id (kind message).")
    hearing = Integer(allow_null=True, help_text="The hearing's id (hearing entries).")
    removed = serializers.BooleanField()
    documents = ThreadDocumentSerializer(many=True)


class MessageInputSerializer(serializers.Serializer):
    body = Text(max_length=limits.TEXT, help_text="The message.")
    documents = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_DOCUMENTS,
        help_text="Documents sent with the message (multipart, one part per file).",
    )


class Thread(generics.GenericAPIView):
    serializer_class = ThreadEntrySerializer
    # Multipart for files; a message without files may come as JSON.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(responses=ThreadEntrySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The case's thread, oldest first: messages, the questions asked and their answers
        (with their documents), and the hearings. Everyone who may see the case reads it."""
        application = access.get_application_for(request.user, pk)
        page = self.paginate_queryset(case_thread(application))
        return self.get_paginated_response(ThreadEntrySerializer(page, many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": MessageInputSerializer,
            "application/json": MessageInputSerializer,
        },
        responses={201: ThreadEntrySerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Write a message on the case: the association's representatives and the
        municipality's case officers, from the submission until the case is finished."""
        application = access.get_application_for(request.user, pk)
        # Refused before the input is read, as on the screen; the service asks again.
        permissions.require_may_write_messages(request.user, application)
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        message = message_send(
            application=application,
            acting_user=request.user,
            body=values["body"],
            documents=values.get("documents") or [],
        )
        entry = _entry_of(case_thread(application), message.pk)
        return Response(ThreadEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def _entry_of(thread: list[ThreadEntry], message_id: int) -> ThreadEntry:
    return next(entry for entry in thread if entry.message == message_id)
