"""The site's public statements: the privacy notice (privatlivspolitik: what is kept, why,
for how long, who to ask) and the accessibility statement (tilgængelighedserklæring, as
webtilgængelighedsloven asks: how far the site meets WCAG 2.1 AA, what does not, how it
was assessed, whom to tell, and where to complain).

Public: an association's volunteer must be able to read it before creating an account.
The periods are read from the settings retention runs by (``retention_periods``), so
the notice never states a period the system does not keep. Who to ask: the data
protection officer of the signed-in user's municipalities (staff: theirs; association
users: those they have applied to), otherwise every municipality's.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cases import roles
from cases.models import Municipality
from cases.services.retention_schedule import retention_periods


def _municipalities_of(request: HttpRequest) -> list[Municipality]:
    everyone = Municipality.objects.order_by("name")
    user = request.user
    if not user.is_authenticated:
        return list(everyone)
    who = roles.profile(user)
    mine = everyone.filter(
        Q(pk__in=who.municipality_ids) | Q(applications__association_id__in=who.represents)
    ).distinct()
    return list(mine) or list(everyone)


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/notice.html",
        {"periods": retention_periods(), "municipalities": _municipalities_of(request)},
    )


# When the accessibility statement was last assessed; change it with the assessment.
ACCESSIBILITY_ASSESSED = datetime.date(2026, 12, 5)


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/accessibility.html",
        {"assessed": ACCESSIBILITY_ASSESSED, "municipalities": _municipalities_of(request)},
    )
