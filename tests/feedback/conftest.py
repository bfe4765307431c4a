"""The API's client fixture (tests/api/conftest.py) for the questionnaire's API tests."""

from tests.api.conftest import _fresh_throttles, api

__all__ = ["_fresh_throttles", "api"]
