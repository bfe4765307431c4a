"""Settings of the REST API (``api/``): Django REST framework and the OpenAPI schema.

Imported by ``config/settings.py``; every variable it reads is listed in the README.
"""

from __future__ import annotations

import os

REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],  # size and depth bounded
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("PULJEFLOW_API_AUTH_RATE", "10/minute")},
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("PULJEFLOW_API_TOKEN_DAYS", "30"))  # 0: no expiry
SPECTACULAR_SETTINGS: dict[str, object] = {
    "TITLE": "Puljeflow API",
    "DESCRIPTION": "Case management for § 18 grants. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "cases.models.ApplicationStatus",
        "AttachmentKindEnum": "cases.models.AttachmentKind",
        "HearingOutcomeEnum": "cases.models.HearingOutcome",
        "RecommendationOutcomeEnum": "cases.models.RecommendationOutcome",
        "RedactionGroundEnum": "cases.documents.redaction.GROUND_CODES",
    },
}
