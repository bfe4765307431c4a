"""What the security runs found, for the summary at the end of the pytest run."""

from __future__ import annotations

from typing import Any

SUMMARY: dict[str, Any] = {}
