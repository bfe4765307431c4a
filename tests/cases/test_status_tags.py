"""A status is a tag: light, coloured by what it asks of the reader, never the dark default
badge, which reads as a button."""

from __future__ import annotations

import pytest

from cases.models import ApplicationStatus
from web.templatetags.puljeflow import status_class

LIGHT = {"badge-info", "badge-success", "badge-warning", "badge-error"}


@pytest.mark.parametrize("status", list(ApplicationStatus))
def test_every_status_is_shown_as_a_light_tag(status: ApplicationStatus) -> None:
    assert status_class(status) in LIGHT
