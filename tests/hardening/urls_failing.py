"""The project's URLs (and its handler500) plus a view that fails, for the 500 tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import *  # noqa: F403  (handler500 and every real URL)
from config.urls import urlpatterns as project_urlpatterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the test view fails on purpose")


urlpatterns = [path("test-failure/", fail), *project_urlpatterns]
