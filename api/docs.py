"""The browsable description of the API (Swagger UI from local static files) and the JSON 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET


@require_GET
def docs_page(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html")


@csrf_exempt  # a JSON 404 whatever the method; nothing is changed
def not_found(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"detail": _("There is no such address in the API.")}, status=404)
