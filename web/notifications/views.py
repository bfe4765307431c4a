"""The in-app notifications: the user's list, one notification, preferences, and the
delivery status page for staff. Thin: fetch through an access check, one service, render.
No GET changes anything; marking read is a POST."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cases import roles
from cases.access import visible_applications
from cases.models import Municipality, Role, StaffRole
from notifications import selectors
from notifications.models import Kind, Notification, Status, UserPreference
from notifications.services import notification_mark_read as mark_read
from web.notifications.forms import OutboxFilterForm, PreferenceForm, legal_kinds

PAGE_SIZE = 25
OUTBOX_PAGE_SIZE = 50
OUTBOX_DAYS = 30  # the delivery status page shows this many days back
OUTBOX_ROLES = (Role.CASE_OFFICER, Role.AUDITOR)


def _get_own(user: Any, pk: int) -> Notification:
    """The user's own notification; anyone else's answers 404."""
    notification = selectors.for_user(user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("No such notification."))
    return notification


def _label(rows: Iterable[Notification]) -> None:
    labels = dict(Kind.choices)
    for row in rows:
        row.kind_label = labels.get(row.kind, row.kind)  # type: ignore[attr-defined]


def _linkable(user: Any, rows: Iterable[Notification]) -> set[int]:
    """Of the rows' applications, those the user may open now (one query)."""
    ids = {row.application_id for row in rows if row.application_id}
    if not ids:
        return set()
    return set(visible_applications(user).filter(pk__in=ids).values_list("pk", flat=True))


def _may_see_an_outbox(user: Any) -> bool:
    who = roles.profile(user)
    return any(who.has_role(m, *OUTBOX_ROLES) for m in who.municipality_ids)


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    _label(rows)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "rows": rows,
            "linkable": _linkable(request.user, rows),
            "can_see_outbox": _may_see_an_outbox(request.user),
        },
    )


@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _get_own(request.user, pk)
    if request.method == "POST":
        mark_read(user=request.user, ids=[notification.pk])
        messages.success(request, _("The notification is marked as read."))
        return redirect("notifications:notification_list")
    _label([notification])
    return render(
        request,
        "notifications/notification_detail.html",
        {
            "notification": notification,
            "linkable": _linkable(request.user, [notification]),
        },
    )


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _get_own(request.user, pk)
    mark_read(user=request.user, ids=[notification.pk])
    return redirect(_next_or(request, "notifications:notification_list"))


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = mark_read(user=request.user)
    messages.success(
        request,
        ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", count)
        % {"n": count},
    )
    return redirect(_next_or(request, "notifications:notification_list"))


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    instance = UserPreference.objects.filter(user=user).first() or UserPreference(user=user)
    form = PreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your notification settings have been saved."))
            return redirect("notifications:notification_preferences")
        status = 400
    else:
        status = 200
    return render(
        request,
        "notifications/notification_preferences.html",
        {"form": form, "legal_kinds": legal_kinds()},
        status=status,
    )


# --- the delivery status page ---------------------------------------------------------------


def _outbox_municipality(user: Any, pk: int | None) -> tuple[Municipality, list[Municipality]]:
    """The municipality whose outbox the user may read: a case officer's or an auditor's.
    Another municipality answers 404; one where the user has another role, 403."""
    who = roles.profile(user)
    allowed = sorted(m for m in who.municipality_ids if who.has_role(m, *OUTBOX_ROLES))
    if pk is None:
        if not allowed:
            raise PermissionDenied(
                _("Only case officers and auditors can see how notifications were delivered.")
            )
        pk = allowed[0]
    if pk not in who.municipality_ids:
        raise Http404(_("No such municipality."))
    if pk not in allowed:
        raise PermissionDenied(
            _("Only case officers and auditors can see how notifications were delivered.")
        )
    municipalities = list(Municipality.objects.filter(pk__in=allowed).order_by("name"))
    current = next(m for m in municipalities if m.pk == pk)
    return current, municipalities


def outbox_rows(municipality: Municipality, since: Any) -> QuerySet[Notification]:
    """Recent notifications about the municipality's applications, and those without an
    application (meeting reminders, digests) sent to its staff."""
    to_staff = StaffRole.objects.filter(
        user_id=OuterRef("recipient_id"), municipality_id=municipality.pk
    )
    return Notification.objects.filter(created_at__gte=since).filter(
        Q(application__municipality_id=municipality.pk)
        | Q(application__isnull=True) & Exists(to_staff)
    )


@login_required
def notification_outbox(request: HttpRequest, municipality_pk: int | None = None) -> HttpResponse:
    municipality, municipalities = _outbox_municipality(request.user, municipality_pk)
    since = timezone.now() - timedelta(days=OUTBOX_DAYS)
    recent = outbox_rows(municipality, since)
    totals = dict(
        recent.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    filters = OutboxFilterForm(request.GET or None)
    rows = recent
    if filters.is_valid() and filters.cleaned_data["status"]:
        rows = rows.filter(status=filters.cleaned_data["status"])
    page = Paginator(
        rows.select_related("recipient", "application").order_by("-created_at", "-id"),
        OUTBOX_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    _label(page)
    return render(
        request,
        "notifications/notification_outbox.html",
        {
            "municipality": municipality,
            "municipalities": municipalities,
            "page": page,
            "filters": filters,
            "totals": [(label, totals.get(value, 0), value) for value, label in Status.choices],
            "days": OUTBOX_DAYS,
            "status": filters.cleaned_data.get("status", "") if filters.is_valid() else "",
        },
    )
