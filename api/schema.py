"""Completing the OpenAPI description: every operation's error answers, and the token scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {"$ref": "#/components/schemas/Error"}
FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}

# What any operation may answer besides its success.
COMMON = {
    "400": ("The input or a condition failed: field errors, or a detail.", FIELD_ERRORS),
    "401": ("Not signed in: send `Authorization: Token …`.", ERROR),
    "403": ("Visible, but not allowed for this user.", ERROR),
    "404": ("No such object for this user (another association's or municipality's).", ERROR),
    "405": ("Method not allowed.", ERROR),
    "406": ("Only JSON is served.", ERROR),
    "409": ("Not possible in the current state, or the case has moved on.", ERROR),
    "415": ("Send JSON (or multipart for uploads).", ERROR),
    "429": ("Too many requests; try again later.", ERROR),
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["FieldErrors"] = {
        "type": "object",
        "description": '{"detail": "…"} for a refused condition, or {"<field>": ["message", …]}.',
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, (description, schema) in COMMON.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, the key from POST /api/v1/auth/token.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
