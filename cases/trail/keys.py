"""The keys held outside the database: the chain's HMAC keys and the checkpoints' signing key.

``PULJEFLOW_TRAIL_KEYS`` = ``"id1:base64,id2:base64"``; new records use
``PULJEFLOW_TRAIL_KEY_ID`` (default: the last listed). Each record stores the id of
the key it was made with, so a rotation is: append a new key to the list, point the
current id at it, keep the old ones listed for as long as their records must verify
(for ever, in practice). ``manage.py trail_keys`` prints the ids and makes a new key.

Without ``PULJEFLOW_TRAIL_KEYS`` the key is derived from ``SECRET_KEY`` (and each of
``SECRET_KEY_FALLBACKS``) with the id ``dev-`` + a fingerprint: good for development
and tests, not for production — whoever reads the settings holds it, and it changes
with the secret key (the fingerprint makes that show as an unknown key, not as a
forgery). ``check --deploy`` names it (an Info, puljeflow.I001).

The checkpoint signing key (Ed25519) likewise: ``PULJEFLOW_CHECKPOINT_SIGNING_KEY``,
the raw 32 bytes in base64, or derived from ``SECRET_KEY`` in development.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DERIVED_PREFIX = "dev-"
MIN_KEY_BYTES = 32


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), b"puljeflow " + purpose, hashlib.sha256).digest()


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64.") from None


@functools.cache
def _parse(spec: str, current: str, secrets: tuple[str, ...]) -> tuple[dict[str, bytes], str]:
    keys: dict[str, bytes] = {}
    if spec.strip():
        for item in spec.split(","):
            key_id, sep, encoded = item.strip().partition(":")
            if not sep or not key_id or key_id in keys:
                raise ImproperlyConfigured(
                    "PULJEFLOW_TRAIL_KEYS: each entry is id:base64, each id once."
                )
            key = _b64(encoded, f"PULJEFLOW_TRAIL_KEYS, key {key_id}")
            if len(key) < MIN_KEY_BYTES:
                raise ImproperlyConfigured(
                    f"PULJEFLOW_TRAIL_KEYS, key {key_id}: at least {MIN_KEY_BYTES} bytes."
                )
            keys[key_id] = key
    else:
        for secret in secrets:
            key = _derive(secret, b"trail hmac key")
            keys[DERIVED_PREFIX + hashlib.sha256(key).hexdigest()[:8]] = key
    current = current or list(keys)[-1 if spec.strip() else 0]
    if current not in keys:
        raise ImproperlyConfigured(f"PULJEFLOW_TRAIL_KEY_ID “{current}” is not a listed key.")
    return keys, current


def _secrets() -> tuple[str, ...]:
    return (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))


def keyring() -> tuple[dict[str, bytes], str]:
    """(every key by id, the id new records use); cached per configuration."""
    return _parse(settings.PULJEFLOW_TRAIL_KEYS, settings.PULJEFLOW_TRAIL_KEY_ID, _secrets())


def current_key_id() -> str:
    return keyring()[1]


def keys_are_derived() -> bool:
    return not settings.PULJEFLOW_TRAIL_KEYS.strip()


def hmac_hex(key_id: str, message: bytes) -> str | None:
    """HMAC-SHA256 of ``message`` with key ``key_id``; None if this server lacks that key."""
    key = keyring()[0].get(key_id)
    if key is None:
        return None
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_trail_key() -> str:
    """A fresh random key, base64, for PULJEFLOW_TRAIL_KEYS."""
    import secrets

    return base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()


# --- the checkpoints' signing key ----------------------------------------------------------


@functools.cache
def _signing_key(encoded: str, secret: str) -> Ed25519PrivateKey:
    if encoded.strip():
        raw = _b64(encoded, "PULJEFLOW_CHECKPOINT_SIGNING_KEY")
        if len(raw) != 32:
            raise ImproperlyConfigured("PULJEFLOW_CHECKPOINT_SIGNING_KEY: the raw 32 bytes.")
    else:
        raw = _derive(secret, b"checkpoint signing key")
    return Ed25519PrivateKey.from_private_bytes(raw)


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(settings.PULJEFLOW_CHECKPOINT_SIGNING_KEY, settings.SECRET_KEY)


def signing_key_is_derived() -> bool:
    return not settings.PULJEFLOW_CHECKPOINT_SIGNING_KEY.strip()


def public_key_b64(key: Ed25519PublicKey | None = None) -> str:
    key = key or signing_key().public_key()
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """The public keys whose checkpoints verify: this server's and earlier ones listed."""
    trusted = {public_key_b64(): signing_key().public_key()}
    for item in settings.PULJEFLOW_CHECKPOINT_PUBLIC_KEYS.split(","):
        if item.strip():
            raw = _b64(item, "PULJEFLOW_CHECKPOINT_PUBLIC_KEYS")
            key = Ed25519PublicKey.from_public_bytes(raw)
            trusted[public_key_b64(key)] = key
    return trusted
