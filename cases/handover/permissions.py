"""Who hands over and who reads what was handed over (issue 18, item 6).

The municipality's case officers and managers journalise a case now and start payment
runs; its auditors also read the runs. Associations never see either: the journal
reference and the payment file are the municipality's own records (the payout itself is
shown to the association on its case, as before).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cases import roles
from cases.models import Application, PaymentRun, Role

HANDOVER_ROLES = (Role.CASE_OFFICER, Role.MANAGER)
RUN_READERS = (*HANDOVER_ROLES, Role.AUDITOR)


def may_journal(user: Any, application: Application) -> bool:
    return roles.profile(user).has_role(application.municipality_id, *HANDOVER_ROLES)


def require_may_journal(user: Any, application: Application) -> None:
    if not may_journal(user, application):
        raise PermissionDenied(
            _("Only the municipality's case officers and managers hand a case to the journal.")
        )
    if application.submitted_at is None and application.received_at is None:
        raise PermissionDenied(
            _("A draft is the association's own: it is journalised when it is received.")
        )


def run_municipalities(user: Any, *, write: bool = False) -> list[int]:
    """The municipalities whose payment runs ``user`` may start (``write``) or read."""
    wanted = HANDOVER_ROLES if write else RUN_READERS
    who = roles.profile(user)
    return sorted(m for m in who.municipality_ids if who.has_role(m, *wanted))


def require_may_start_runs(user: Any, municipality_id: int) -> None:
    if municipality_id not in run_municipalities(user, write=True):
        raise PermissionDenied(
            _("Only the municipality's case officers and managers start a payment run.")
        )


def get_run_for(user: Any, pk: int) -> PaymentRun:
    """The run, if ``user`` may read it; 404 for another municipality's, 403 for staff who
    may not read runs, as for a case."""
    run = PaymentRun.objects.select_related("municipality", "created_by").filter(pk=pk).first()
    who = roles.profile(user)
    if run is None or run.municipality_id not in who.municipality_ids:
        raise Http404(_("No such payment run."))
    if run.municipality_id not in run_municipalities(user):
        raise PermissionDenied(_("Payment runs are read by case officers, managers and auditors."))
    return run
