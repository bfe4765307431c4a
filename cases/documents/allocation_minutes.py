"""The minutes' »Fordeling« section: the allocation assistant's proposal as recorded.

Read from the meeting's recommend / decide records already loaded for the minutes (no
query of its own): each record of an item adopted from the assistant holds
``payload["allocation"]`` (``workflows.bulk.allocation_payload``): the method, its
parameters, the amount proposed and the amount chosen. The section names the method and
its parameters and lists the items where the chosen amount differs from the proposal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from cases.allocation import method_label
from cases.formatting import money


@dataclass
class Change:
    case_number: str
    association: str
    requested: Decimal
    proposed: Decimal
    chosen: Decimal


@dataclass
class Proposal:
    method: str
    params: list[tuple[str, str]]
    changes: list[Change] = field(default_factory=list)
    items: int = 0


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _param_lines(params: dict[str, Any]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if params.get("pool") is not None:
        lines.append((_("Allocated from the pool left"), money(params["pool"])))
    lines.append(
        (_("Minimum grant"), money(params["minimum"]) if params.get("minimum") else _("None"))
    )
    lines.append(
        (
            _("Ceiling per application"),
            money(params["ceiling"]) if params.get("ceiling") is not None else _("None"),
        )
    )
    shares = params.get("shares") or {}
    if shares:
        text = "; ".join(
            f"{name}: {Decimal(str(pct)).normalize():f} %" for name, pct in shares.items()
        )
        lines.append((_("Shares per focus area"), text))
    fixed = params.get("fixed") or {}
    if fixed:
        text = "; ".join(f"{case}: {money(amount)}" for case, amount in fixed.items())
        lines.append((_("Amounts fixed by the chair in the assistant"), text))
    return lines


def allocation_sections(rows: list[Any]) -> list[Proposal]:
    """One section per proposal adopted at the meeting (usually one), in the order recorded."""
    found: dict[str, Proposal] = {}
    for row in rows:
        for action in row.actions:
            payload = action.record.payload if isinstance(action.record.payload, dict) else {}
            allocation = payload.get("allocation")
            if not isinstance(allocation, dict):
                continue
            params = allocation.get("params") or {}
            key = json.dumps([allocation.get("method"), params], sort_keys=True, default=str)
            if key not in found:
                found[key] = Proposal(
                    method=method_label(str(allocation.get("method", ""))),
                    params=_param_lines(params),
                )
            section = found[key]
            section.items += 1
            proposed = _amount(allocation.get("proposed"))
            chosen = _amount(allocation.get("chosen"))
            if proposed is not None and chosen is not None and proposed != chosen:
                application = row.application
                section.changes.append(
                    Change(
                        case_number=application.case_number,
                        association=application.association.name,
                        requested=application.amount_requested or Decimal(0),
                        proposed=proposed,
                        chosen=chosen,
                    )
                )
    return list(found.values())
