"""The hand-overs' panels (issue 18): the journal status on the case page and the payment
runs on /payouts/. Tags, so the pages' own views need not know of them."""

from __future__ import annotations

from typing import Any

from django import template

from cases import roles
from cases.handover import payments, permissions
from cases.handover.finance import finance_enabled
from cases.handover.journal import journal_enabled
from cases.models import Application, Handover, HandoverObject, HandoverStatus, PaymentRun, Role

register = template.Library()


@register.inclusion_tag("handover/_journal_panel.html", takes_context=True)
def journal_panel(context: Any, application: Application) -> dict[str, Any]:
    """For the municipality's staff, once the application is a case: one query."""
    user = context["request"].user
    shown = roles.profile(user).has_role(application.municipality_id, *Role.values) and (
        application.submitted_at is not None or application.received_at is not None
    )
    if not shown:
        return {"shown": False}
    rows = list(Handover.objects.filter(application=application).order_by("pk"))
    case = next((r for r in rows if r.kind == HandoverObject.CASE), None)
    documents = [r for r in rows if r.kind != HandoverObject.CASE]
    return {
        "shown": True,
        "application": application,
        "enabled": journal_enabled(),
        "case": case,
        "done": sum(1 for r in documents if r.status == HandoverStatus.DONE),
        "count": len(documents),
        "failed": [r for r in rows if r.status == HandoverStatus.FAILED],
        "may_journal": permissions.may_journal(user, application),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("handover/_payment_runs.html", takes_context=True)
def payment_runs_panel(context: Any) -> dict[str, Any]:
    """The runs of the municipalities the user reads runs of, newest first; how many payouts
    wait to be handed over where the user may start a run."""
    user = context["request"].user
    readable = permissions.run_municipalities(user)
    writable = permissions.run_municipalities(user, write=True)
    runs = list(
        PaymentRun.objects.filter(municipality_id__in=readable)
        .select_related("municipality", "created_by")
        .order_by("-created_at", "-pk")[:50]
    )
    waiting = sum(payments.pending_payouts(m).count() for m in writable)
    return {
        "shown": bool(readable),
        "runs": runs,
        "waiting": waiting,
        "may_start": bool(writable) and finance_enabled(),
        "several": len({r.municipality_id for r in runs}) > 1,
    }
