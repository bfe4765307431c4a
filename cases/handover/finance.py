"""Payment files to the finance system: the file format, the adapter interface and the
embedded ``FolderFinance`` (``PULJEFLOW_FINANCE=folder``).

The payment file (``<run id>.csv``), documented here and in the README:

- UTF-8 without a byte-order mark, fields separated by ``;``, lines ended by CR LF, one
  header line ``cvr;amount;reference;account;text;payment_date;payout`` and then one line
  per payout, in the order of the run;
- ``cvr``: the association's CVR number, 8 digits;
- ``amount``: kroner with a point and always two decimals, no thousands separator
  (``12500.00``);
- ``reference``: the case number (``2027-0042``), what the finance system books against;
- ``account``: ``NEMKONTO``. A public authority pays a company into the NemKonto tied to
  its CVR number (lov om offentlige betalinger m.v.); Puljeflow keeps no bank account of
  an association, so the finance system finds the account by the CVR;
- ``text``: the text on the association's statement, at most 35 characters: »Tilskud«,
  the case number and the payment reference the case officer registered, cut to fit;
  no ``;``, quotes or line breaks;
- ``payment_date``: the payout's payment date as registered (``YYYY-MM-DD``);
- ``payout``: Puljeflow's id of the payout, for reconciliation.

An adapter hands over the file and answers with the finance system's reference. It is
idempotent: the same run handed over twice is one file. No finance system's own adapter
(KMD Opus, Prisme, …) is built.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from django.conf import settings

from cases.handover.journal import FOLDER, OFF, _write_atomically

HEADER = ("cvr", "amount", "reference", "account", "text", "payment_date", "payout")
NEMKONTO = "NEMKONTO"
TEXT_LENGTH = 35
_UNSAFE = re.compile(r"[;\"\r\n\t\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class PaymentLine:
    payout: int
    cvr: str
    association: str
    case_number: str
    amount: Decimal
    paid_on: str  # ISO date
    reference: str
    account: str
    text: str


def statement_text(case_number: str, reference: str) -> str:
    """What the association sees on its statement: at most 35 plain characters."""
    text = " ".join(_UNSAFE.sub(" ", f"Tilskud {case_number} {reference}").split())
    return text[:TEXT_LENGTH].rstrip()


def payment_file(lines: list[PaymentLine]) -> bytes:
    """The documented file of a run (the module's docstring)."""
    rows = [";".join(HEADER)]
    for line in lines:
        rows.append(
            ";".join(
                [
                    line.cvr,
                    f"{line.amount:.2f}",
                    _UNSAFE.sub(" ", line.case_number),
                    line.account,
                    statement_text(line.case_number, line.reference)
                    if not line.text
                    else _UNSAFE.sub(" ", line.text)[:TEXT_LENGTH],
                    line.paid_on,
                    str(line.payout),
                ]
            )
        )
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


class Finance(Protocol):
    name: str

    def hand_over_run(self, run_id: int, file_name: str, content: bytes) -> str:
        """Hand over the run's file; the finance system's reference."""


class FolderFinance:
    """The embedded default: ``<root>/<run id>.csv``, written atomically."""

    name = FOLDER

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def hand_over_run(self, run_id: int, file_name: str, content: bytes) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / file_name
        same = path.exists() and (
            hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(content).digest()
        )
        if same:
            return str(path.name)
        # A run id is never reused by a committed run; a file left by a run whose
        # transaction was rolled back is replaced by the run that now has the id.
        _write_atomically(path, content)
        return str(path.name)


def finance_setting() -> str:
    return str(getattr(settings, "PULJEFLOW_FINANCE", FOLDER)).strip().lower()


def finance_enabled() -> bool:
    return finance_setting() != OFF


def finance() -> Finance:
    choice = finance_setting()
    if choice == FOLDER:
        return FolderFinance(Path(settings.PULJEFLOW_FINANCE_DIR))
    raise ValueError(f"PULJEFLOW_FINANCE={choice!r}: no such finance adapter (folder, off).")
