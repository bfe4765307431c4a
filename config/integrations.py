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
# How long a public page (a call, the register, its CSV/JSON/Atom) is kept in the cache, in
# seconds. A decision or a change to a round makes the cached copies stale at once (a
# version in the database, cases/services/publication.py); this bounds the rest (an
# association renamed, a countdown's day).
PULJEFLOW_PUBLIC_CACHE_SECONDS = int(os.environ.get("PULJEFLOW_PUBLIC_CACHE_SECONDS", "300"))

# --- NemLog-in: MitID Erhverv for associations (SAML, OIOSAML 3.0) ----------------------

# --- The municipality's identity provider for staff (OpenID Connect) --------------------

# --- CVR: the association's name and address from the register --------------------------

# --- Digital Post: letters to the association's CVR as MeMo messages --------------------

# --- Journal (ESDH) and finance: hand-overs ---------------------------------------------
