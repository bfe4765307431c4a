"""Settings for what Puljeflow is joined to (issue 18), read from the environment.

Imported at the end of ``config/settings.py``. With nothing set, every integration has an
embedded default that needs no outside service, so that ``make run`` works on a laptop:
the public pages are on, NemLog-in and the staff identity provider are off (passwords),
CVR lookups answer from a local fake, Digital Post messages and journal and finance
hand-overs are written to folders under ``var/``. The README lists every variable.
"""

from __future__ import annotations

import os

from config.env import BASE_DIR, VAR_DIR, env_bool  # noqa: F401

# --- Public pages (the open calls, the grants register, open data) ---------------------

# --- NemLog-in: MitID Erhverv for associations (SAML, OIOSAML 3.0) ----------------------

# --- The municipality's identity provider for staff (OpenID Connect) --------------------

# --- CVR: the association's name and address from the register --------------------------

# --- Digital Post: letters to the association's CVR as MeMo messages --------------------

# --- Journal (ESDH) and finance: hand-overs ---------------------------------------------
# PULJEFLOW_JOURNAL: "folder" (the embedded default: a folder per case with its documents
# and case.json, cases/handover/journal.py) or "off". No vendor adapter is built.
PULJEFLOW_JOURNAL = os.environ.get("PULJEFLOW_JOURNAL", "folder").strip().lower()
PULJEFLOW_JOURNAL_DIR = os.environ.get("PULJEFLOW_JOURNAL_DIR", str(VAR_DIR / "journal"))
# The KLE topic (KL Emnesystematik, the municipalities' journal plan) every case is filed
# under. KLE is KL's subscription product; the municipality sets its own number.
PULJEFLOW_JOURNAL_KLE = os.environ.get("PULJEFLOW_JOURNAL_KLE", "15.00.00")
# PULJEFLOW_FINANCE: "folder" (payment files to PULJEFLOW_FINANCE_DIR/<run id>.csv,
# cases/handover/finance.py) or "off" (no payment runs).
PULJEFLOW_FINANCE = os.environ.get("PULJEFLOW_FINANCE", "folder").strip().lower()
PULJEFLOW_FINANCE_DIR = os.environ.get("PULJEFLOW_FINANCE_DIR", str(VAR_DIR / "finance"))
# Beat's sweep of hand-overs that failed or whose task was lost (cases/handover/runner.py).
PULJEFLOW_HANDOVER_SWEEP_SECONDS = float(os.environ.get("PULJEFLOW_HANDOVER_SWEEP_SECONDS", 300))
PULJEFLOW_HANDOVER_MAX_ATTEMPTS = int(os.environ.get("PULJEFLOW_HANDOVER_MAX_ATTEMPTS", 12))
HANDOVER_BEAT_SCHEDULE = {
    "handover-sweep": {
        "task": "cases.handover.tasks.sweep",
        "schedule": PULJEFLOW_HANDOVER_SWEEP_SECONDS,
        "options": {"expires": PULJEFLOW_HANDOVER_SWEEP_SECONDS / 2},
    },
}
