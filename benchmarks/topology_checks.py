"""What benchmarks/topology.py checks after a load run, as functions of the database.

- ``mail_check``: every e-mail row of the outbox was delivered exactly once. The run
  points Django's file-based e-mail backend at a folder (``EMAIL_FILE_PATH``); each file
  there is one connection's messages. Counted by Message-ID (fixed when the row was
  written, carried by every copy): each row ``sent`` and its id in the folder once; no row
  left pending, sending, failed or given up; no message in the folder that no row wrote.
- ``double_transitions``: no case took two transitions from the same state. Precisely:
  for each application and flow, its state-changing records (``from_state`` ≠
  ``to_state``; events such as a journal hand-over change no state) ordered by ``seq``
  form a chain, each starting from the state the one before ended in — a second
  transition from a state the case had already left breaks it; and no (application,
  seq) appears twice.

``python benchmarks/topology_checks.py MAIL_DIR`` (with the run's environment) prints both
as JSON; the tests call the functions on the test database.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

MESSAGE_ID = re.compile(r"^Message-ID:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)


def message_ids_in(folder: Path) -> Counter[str]:
    """How often each Message-ID occurs in the file-based backend's folder."""
    found: Counter[str] = Counter()
    for path in sorted(folder.glob("*.log")) if folder.is_dir() else []:
        found.update(MESSAGE_ID.findall(path.read_text(errors="replace")))
    return found


def mail_check(folder: Path) -> dict[str, Any]:
    from notifications.models import Channel, Notification, Status

    rows = dict(
        Notification.objects.filter(channel=Channel.EMAIL).values_list("message_id", "status")
    )
    by_status = Counter(rows.values())
    copies = message_ids_in(folder)
    sent = {mid for mid, status in rows.items() if status == Status.SENT}
    lost = sorted(mid for mid in sent if copies[mid] == 0)
    twice = sorted(mid for mid, n in copies.items() if n > 1)
    unknown = sorted(mid for mid in copies if mid not in rows)
    undelivered = sum(n for status, n in by_status.items() if status != Status.SENT)
    return {
        "email_rows": len(rows),
        "by_status": dict(sorted(by_status.items())),
        "messages_in_sink": sum(copies.values()),
        "undelivered": undelivered,
        "lost": lost,
        "delivered_twice": twice,
        "unknown": unknown,
        "in_app_rows": Notification.objects.filter(channel=Channel.IN_APP).count(),
        "exactly_once": not (undelivered or lost or twice or unknown),
    }


DOUBLE_TRANSITIONS = """
SELECT application_id, flow, seq, transition, from_state, previous_to_state
FROM (
    SELECT application_id, flow, seq, transition, from_state,
           LAG(to_state) OVER (PARTITION BY application_id, flow ORDER BY seq)
               AS previous_to_state
    FROM workflows_transitionrecord
    WHERE from_state <> to_state
) AS chained
WHERE previous_to_state IS NOT NULL AND previous_to_state <> from_state
ORDER BY application_id, seq
"""
DUPLICATE_SEQ = """
SELECT application_id, seq, COUNT(*) FROM workflows_transitionrecord
GROUP BY application_id, seq HAVING COUNT(*) > 1
"""


def double_transitions() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DOUBLE_TRANSITIONS)
        broken = [list(row) for row in cursor.fetchall()]
        cursor.execute(DUPLICATE_SEQ)
        duplicates = [list(row) for row in cursor.fetchall()]
        cursor.execute("SELECT COUNT(*) FROM workflows_transitionrecord")
        records = cursor.fetchone()[0]
    return {
        "records": records,
        "from_a_state_already_left": broken[:20],
        "duplicate_seq": duplicates[:20],
        "none": not broken and not duplicates,
    }


def round_exports() -> dict[str, int]:
    """The round exports the auditors ordered, by state at the end (a figure, not a goal:
    one its worker was killed making is taken over only after 10 silent minutes)."""
    from cases.models import RoundExport

    return dict(Counter(str(e.state) for e in RoundExport.objects.all()))


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    print(
        json.dumps(
            {
                "mail": mail_check(Path(sys.argv[1])),
                "transitions": double_transitions(),
                "round_exports": round_exports(),
            }
        )
    )


if __name__ == "__main__":
    main()
