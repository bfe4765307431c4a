"""The benchmark's URLconf: every production path, plus the framework's floor.

Only the page benchmark (``benchmarks/pages.py``, ``ROOT_URLCONF=benchmarks.urls``)
routes here; ``config.urls`` never includes it, so ``/_bench/bare/`` does not exist in
a deployment.

The bare page is what every signed-in page pays before it does anything of its own: the
whole middleware stack (session read and idle-time write, the user, the second-factor
and session-timeout checks, the role profile), one query and a small template rendered
without the project's context processors. Each page's median is
compared with its median in the same run (issue 19: at most 4×).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="da"><head><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1><p>{{ user.get_username }}: {{ groups }}</p></main>"
    "</body></html>"
)


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    groups = request.user.groups.count()  # the one query
    # Without the request: the project's context processors (navigation, the unread
    # notifications) belong to the pages' frame, not to the framework's floor.
    context = {"title": "Bare", "groups": groups, "user": request.user}
    return HttpResponse(_TEMPLATE.render(context))


urlpatterns = [
    path("_bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]
