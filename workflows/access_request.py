"""The life of one request for access to documents (aktindsigt), in one file.

    received ─access_extend→ extended ─access_extend→ extended
    received | extended ─access_decide→ decided ─access_hand_out→ handed_out

Offentlighedslovens § 36, stk. 2: decided within 7 working days of receipt, unless the
request's size or complexity makes that impossible — then the requester is told why and
when to expect the decision (``access_extend``, as often as needed). A decision of full or
partial access is followed by the export handed out, with what the handler chose to
leave out (``access_hand_out``); after a refusal nothing is handed out.

The request is registered by ``cases.services.access_requests.access_request_register``
(a new row in its first status, not a transition). Like the usage report's flow
(``usage_report.py``), this flow saves its subject's row with its history; unlike the
report, a request is not part of one application's transition — it covers one case,
several, or a whole round — so each transition writes its record into the chain of every
case covered (``access_record``, the one path the registration uses too), flow
``access``, with the case's own state unchanged. The transition names are the stored
identifiers those records have always carried (``access_extend`` …), so the trail reads
old and new records alike.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases.documents.redaction import GROUND_CHOICES, RedactionChoice
from cases.errors import TransitionNotPossible
from cases.models import AccessDecision, AccessRequest, AccessStatus, Application
from cases.selectors.access_requests import covered_applications
from cases.services.access_requests import (
    FLOW,
    access_export_write,
    access_record,
    redaction_errors,
)
from workflows import rules
from workflows.flow import Flow, condition
from workflows.inputs import ISO_DATE, TransitionInput, text

A = AccessStatus
GROUND = {
    "invalid_choice": gettext_lazy("Choose a ground from the list."),
}


@condition
def access_was_granted(flow: AccessRequestFlow) -> fsm.State.CONDITION:
    if flow.access_request.decision == AccessDecision.REFUSED:
        return fsm.State.CONDITION(False, _("Access was refused: there is nothing to hand out."))
    return fsm.State.CONDITION(True)


# A refusal is a matter of the request's state, not of the input: "not possible" (409).
access_was_granted.error = TransitionNotPossible  # type: ignore[attr-defined]


class AccessInput(TransitionInput):
    """A transition's input for a request: validated with the request's flow."""

    def __init__(self, *args: Any, flow: AccessRequestFlow | None = None, **kwargs: Any) -> None:
        # Not TransitionInput's: a request is not one case, there is nothing to narrow to.
        forms.Form.__init__(self, *args, **kwargs)
        self.flow = flow


class AccessRequestFlow(Flow):
    """Extending, deciding and handing out a registered request: the case officer."""

    name = FLOW  # "access": the flow named on every record, the registration's too
    model = AccessRequest
    states = AccessStatus
    state = fsm.State(AccessStatus, default=A.RECEIVED)
    initial = A.RECEIVED
    terminal = frozenset({A.HANDED_OUT})  # and a refusal, which stays "decided"

    def __init__(self, access_request: AccessRequest, *, actor: Any = None, role: str = "") -> None:
        super().__init__(access_request, actor=actor, role=role)
        self.access_request = access_request

    @state.getter()
    def _get_status(self) -> str:
        return self.access_request.status

    @state.setter()
    def _set_status(self, value: str) -> None:
        self.access_request.status = value

    # --- refusals in the register's words ---------------------------------------------------

    @classmethod
    def not_possible_message(cls, name: str, action: str, status: str) -> str:
        if name == "access_hand_out":
            return _("Only a decided request is handed out; this one is “%(status)s”.") % {
                "status": status
            }
        return _("The request has already been decided (%(status)s).") % {"status": status}

    @classmethod
    def moved_on_message(cls, status: str) -> str:
        return _(
            "This request has moved on: someone else changed it to “%(status)s” while you "
            "were working on it. Reload the page to see where it stands."
        ) % {"status": status}

    @classmethod
    def not_permitted_message(cls, action: str) -> str:
        return _("Only a case officer handles requests for access to documents.")

    # --- saving and recording -----------------------------------------------------------------

    def _save(self, *fields: str) -> None:
        self.access_request.handled_by = self.actor
        super()._save("handled_by", *fields)

    def _record(self, reason: str = "", **payload: Any) -> None:
        """Into the chain of every case the request covers (``access_record``)."""
        access_record(
            self.access_request,
            name=self._current,
            actor=self.actor,
            role=self.role,
            reason=reason,
            **payload,
        )

    # --- extend -------------------------------------------------------------------------------

    class ExtendInput(AccessInput):
        until = forms.DateField(
            label=gettext_lazy("Decision expected by"),
            input_formats=ISO_DATE,
            error_messages={"required": gettext_lazy("Choose the date the decision is expected.")},
        )
        reason = text(
            gettext_lazy("Why it cannot be decided in time"),
            required_message=gettext_lazy("Write why the request cannot be decided in time."),
        )

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            until = data.get("until")
            if until is not None and self.flow is not None:
                due_on = self.flow.access_request.due_on
                if until <= due_on:
                    self.add_error(
                        "until",
                        _("Choose a date after the current deadline, %(date)s.")
                        % {"date": formats.date_format(due_on, "DATE_FORMAT")},
                    )
            return data

    @state.transition(
        source=[A.RECEIVED, A.EXTENDED],
        target=A.EXTENDED,
        label=gettext_lazy("Extend the deadline of the request"),
        permission=rules.access_request_handler,
        custom={"form": ExtendInput},
    )
    def access_extend(self, *, until: Any, reason: str) -> None:
        """The decision cannot be made in time: why, and when it can be expected."""
        self.access_request.extended_until = until
        self.access_request.extension_reason = reason
        self._save("extended_until", "extension_reason")
        self._record(reason=reason, extended_until=until)

    # --- decide -------------------------------------------------------------------------------

    class DecideInput(AccessInput):
        decision = forms.ChoiceField(
            label=gettext_lazy("Decision"),
            choices=AccessDecision.choices,
            error_messages={
                "required": gettext_lazy("Choose full access, partial access or refusal."),
                "invalid_choice": gettext_lazy("Choose full access, partial access or refusal."),
            },
        )
        reasons = text(gettext_lazy("Reasons"))
        complaint_guidance = text(gettext_lazy("Complaint guidance"))

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            if data.get("decision") in AccessDecision.needs_reasons():
                if not data.get("reasons"):
                    self.add_error("reasons", _("Give the reasons for not handing out everything."))
                if not data.get("complaint_guidance"):
                    self.add_error(
                        "complaint_guidance",
                        _("Partial access and refusal need complaint guidance."),
                    )
            return data

    @state.transition(
        source=[A.RECEIVED, A.EXTENDED],
        target=A.DECIDED,
        label=gettext_lazy("Decide the request"),
        permission=rules.access_request_handler,
        custom={"form": DecideInput},
    )
    def access_decide(self, *, decision: str, reasons: str, complaint_guidance: str) -> None:
        """Full access, partial access or refusal; the last two with reasons and complaint
        guidance (forvaltningsloven §§ 22-25; offentlighedslovens § 37)."""
        adverse = decision in AccessDecision.needs_reasons()
        self.access_request.decision = decision
        self.access_request.decision_reasons = reasons
        self.access_request.complaint_guidance = complaint_guidance if adverse else ""
        self.access_request.decided_at = timezone.now()
        self._save("decision", "decision_reasons", "complaint_guidance", "decided_at")
        self._record(reason=reasons, decision=decision)

    # --- hand out -----------------------------------------------------------------------------

    def covered(self) -> list[Application]:
        """The cases handed out, read once per flow."""
        if not hasattr(self, "_covered"):
            self._covered = covered_applications(self.access_request)
        return self._covered

    class HandOutInput(AccessInput):
        declarations = forms.ChoiceField(
            choices=[("", "-"), *GROUND_CHOICES], required=False, error_messages=GROUND
        )
        contact_details = forms.ChoiceField(
            choices=[("", "-"), *GROUND_CHOICES], required=False, error_messages=GROUND
        )
        # [{"kind", "id", "ground"}]: checked as a whole against the cases covered.
        items = forms.JSONField(required=False)

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            items = data.get("items") or []
            if not isinstance(items, list) or not all(
                isinstance(i, dict) and str(i.get("id", "")).isdigit() for i in items
            ):
                self.add_error("items", _("An item left out is not part of the cases handed out."))
                return data
            data["items"] = items
            if self.flow is not None and not self.errors:
                choice = RedactionChoice(
                    declarations=data.get("declarations") or "",
                    contact_details=data.get("contact_details") or "",
                    items=items,
                )
                for field, message in redaction_errors(choice, self.flow.covered()).items():
                    self.add_error(field, message)
            return data

    @state.transition(
        source=A.DECIDED,
        target=A.HANDED_OUT,
        label=gettext_lazy("Hand out the documents"),
        permission=rules.access_request_handler,
        conditions=[access_was_granted],
        custom={"form": HandOutInput},
    )
    def access_hand_out(
        self, *, declarations: str, contact_details: str, items: list[dict[str, Any]]
    ) -> None:
        """The export of the cases covered, with the chosen redactions, stored with its
        SHA-256 (``access_export_write``)."""
        choice = RedactionChoice(
            declarations=declarations, contact_details=contact_details, items=items
        )
        access_export_write(self.access_request, choice, self.covered())
        self.access_request.handed_out_at = timezone.now()
        self._save("export", "export_sha256", "redactions", "handed_out_at")
        self._record(
            sha256=self.access_request.export_sha256, redactions=self.access_request.redactions
        )
