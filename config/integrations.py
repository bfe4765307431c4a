"""Settings for what Puljeflow is joined to (issue 18), read from the environment.

Imported at the end of ``config/settings.py``. With nothing set, every integration has an
embedded default that needs no outside service, so that ``make run`` works on a laptop:
the public pages are on, NemLog-in and the staff identity provider are off (passwords),
CVR lookups answer from a local fake, Digital Post messages and journal and finance
hand-overs are written to folders under ``var/``. The README lists every variable.
"""

from __future__ import annotations

import os  # noqa: F401  (each section below reads the environment)

from config.env import BASE_DIR, VAR_DIR, env_bool  # noqa: F401

# --- Public pages (the open calls, the grants register, open data) ---------------------

# --- NemLog-in: MitID Erhverv for associations (SAML, OIOSAML 3.0) ----------------------

# --- The municipality's identity provider for staff (OpenID Connect) --------------------

# --- CVR: the association's name and address from the register --------------------------

# --- Digital Post: letters to the association's CVR as MeMo messages --------------------

# --- Journal (ESDH) and finance: hand-overs ---------------------------------------------
