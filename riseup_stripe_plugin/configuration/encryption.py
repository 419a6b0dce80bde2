"""
Encryption of the Stripe secrets an administrator enters in the admin.

The key is derived from the platform's ``SECRET_KEY``; a database dump alone
does not reveal the Stripe keys. Rotating ``SECRET_KEY`` makes stored secrets
unreadable: they then read as empty and the system checks say so.
"""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

log = logging.getLogger(__name__)


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"riseup-stripe-plugin",
               info=b"payment-configuration-secrets").derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        log.error("A stored Stripe secret cannot be decrypted (was SECRET_KEY rotated?); enter it again.")
        return ""
