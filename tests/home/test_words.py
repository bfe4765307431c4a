"""How the home words deadlines and waiting: Danish, local time, whole days."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone, translation

from web.home.views import countdown, waited

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")


def test_a_deadline_is_counted_down_in_danish_local_time() -> None:
    today = timezone.localdate()
    at_noon = datetime.datetime.combine(today + datetime.timedelta(days=12), datetime.time(12), CPH)
    with translation.override("da"):
        text = countdown(at_noon.astimezone(datetime.UTC))
        assert text.startswith("Frist om 12 dage — ")
        assert text.endswith("kl. 12.00")
        assert countdown(today).startswith("Frist i dag — ")
        assert countdown(today - datetime.timedelta(days=1)).startswith("Fristen er overskredet")
        assert countdown(today + datetime.timedelta(days=1)).startswith("Frist om 1 dag — ")
    with translation.override("en"):
        assert countdown(at_noon).endswith(" at 12:00")


def test_waiting_is_told_in_whole_days() -> None:
    now = timezone.now()
    with translation.override("da"):
        assert waited(now) == "Den ældste kom i dag"
        assert waited(now - datetime.timedelta(days=3)) == "Den ældste har ventet 3 dage"
        assert waited(timezone.localdate() - datetime.timedelta(days=1)) == (
            "Den ældste har ventet 1 dag"
        )
        assert waited(None) == ""
