"""File notes and documents received on a case: the same rules and services as the screens.

Neither is ever changed or deleted: the endpoints answer GET and POST only (anything
else is 405); a note is corrected by posting a new one with ``corrects``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, permissions
from cases.models import FileNote
from cases.services import case_documents, case_notes
from cases.uploads import check_upload, stored_upload_response

from .parsers import JSONParser
from .serializers_notes import (
    FileNoteInputSerializer,
    FileNoteSerializer,
    ReceivedDocumentInputSerializer,
    ReceivedDocumentSerializer,
)


class FileNotes(generics.GenericAPIView):
    serializer_class = FileNoteSerializer
    parser_classes = [JSONParser]

    @extend_schema(responses=FileNoteSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The case's file notes the caller may read: all for the municipality's staff, those
        made visible to it for the association."""
        application = access.get_application_for(request.user, pk)
        page = self.paginate_queryset(case_notes.notes_for(request.user, application))
        return self.get_paginated_response(FileNoteSerializer(page, many=True).data)

    @extend_schema(request=FileNoteInputSerializer, responses={201: FileNoteSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Write a file note (notatpligt): the case officer or a chair. Never changed
        afterwards; correct it with a new note naming it in ``corrects``."""
        application = access.get_application_for(request.user, pk)
        # Refused before the input is read, as on the screen; the service asks again.
        permissions.require_may_write_notes(request.user, application)
        data = FileNoteInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        corrects = None
        if values.get("corrects") is not None:
            corrects = FileNote.objects.filter(
                pk=values["corrects"], application=application
            ).first()
            if corrects is None:
                raise ValidationError({"corrects": _("Choose a note on this case.")})
        note = case_notes.note_create(
            application=application,
            acting_user=request.user,
            text=values["text"],
            concerns=values.get("concerns") or "",
            occurred_on=values.get("occurred_on"),
            visible_to_applicant=values.get("visible_to_applicant", False),
            corrects=corrects,
        )
        return Response(FileNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class ReceivedDocuments(generics.GenericAPIView):
    serializer_class = ReceivedDocumentSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(responses=ReceivedDocumentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Documents received on the case after submission: all for the staff, its own
        (sent with its answers) for the association."""
        application = access.get_application_for(request.user, pk)
        page = self.paginate_queryset(case_documents.documents_for(request.user, application))
        return self.get_paginated_response(ReceivedDocumentSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ReceivedDocumentInputSerializer},
        responses={201: ReceivedDocumentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        """The case officer registers a document received by post, by e-mail or by hand."""
        application = access.get_application_for(request.user, pk)
        permissions.require_may_register_documents(request.user, application)
        data = ReceivedDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            content_type = check_upload(values["file"])
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        document = case_documents.document_register(
            application=application,
            acting_user=request.user,
            upload=values["file"],
            received_via=values["received_via"],
            received_on=values["received_on"],
            description=values["description"],
            content_type=content_type,
        )
        return Response(ReceivedDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class ReceivedDocumentFile(APIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file as received."
            )
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        """Download a received document, with the same access as on the case page."""
        document = case_documents.get_received_document_for(request.user, pk)
        response: FileResponse = stored_upload_response(document)
        return response
