"""A self-signed key pair for signing SAML messages, made when none is configured.

NemLog-in itself wants an OCES3 certificate (``PULJEFLOW_NEMLOGIN_KEY_FILE`` and
``PULJEFLOW_NEMLOGIN_CERT_FILE``); a generated pair is for the demo and the tests only, and
lives under ``var/`` (never in the repository).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def make_key_pair(key_file: Path, cert_file: Path, common_name: str) -> None:
    """Write an RSA 3072 key and a self-signed certificate (ten years) to the two paths."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def ensure_key_pair(key_file: Path, cert_file: Path, common_name: str) -> None:
    if not key_file.exists() or not cert_file.exists():
        make_key_pair(key_file, cert_file, common_name)
