"""Assigning a case (issue 17): the domain's write, and a word to the new case officer.

The domain (``cases.services.assignment``) cannot reach the notifications app; this is the
one place that does both in one transaction, so the message commits with the assignment
or not at all. The screens and the API call ``assign_case``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from cases.models import Application
from cases.services.assignment import application_assign
from notifications.models import Kind
from notifications.services import notify


def assign_case(*, application: Application, acting_user: Any, case_officer: Any) -> Application:
    """``application_assign``, then tell the newly assigned case officer (not oneself)."""
    with transaction.atomic():
        application = application_assign(
            application=application, acting_user=acting_user, case_officer=case_officer
        )
        if case_officer is not None and case_officer.pk != acting_user.pk:
            notify(
                kind=Kind.CASE_ASSIGNED,
                application=application,
                recipients=[case_officer],
                context={"assigned_by": acting_user.get_full_name() or acting_user.get_username()},
                legal=False,
            )
    return application


def assign_cases(
    *, applications: Iterable[Application], acting_user: Any, case_officer: Any
) -> list[Application]:
    """Assign several cases at once: all or none (the first refusal stops the lot)."""
    with transaction.atomic():
        return [
            assign_case(application=a, acting_user=acting_user, case_officer=case_officer)
            for a in applications
        ]
