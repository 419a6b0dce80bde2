"""
Encryption of the Stripe secrets an administrator enters in the admin.

The key is derived from the platform's ``SECRET_KEY``; a database dump alone
does not reveal the Stripe keys. Rotating ``SECRET_KEY`` the Django way keeps
them readable: the old key goes to ``SECRET_KEY_FALLBACKS``, stored secrets are
decrypted with any of the keys and re-encrypted with the current one at the
next save of the payment settings. A secret no key opens reads as empty, and
the system checks say so (``riseup_stripe.E011``).
"""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

log = logging.getLogger(__name__)


def _derive(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"riseup-stripe-plugin",
               info=b"payment-configuration-secrets").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _current() -> Fernet:
    return _derive(settings.SECRET_KEY)


def _all_keys() -> MultiFernet:
    """The current key first (it encrypts), then the fallbacks (they only decrypt)."""
    fallbacks = [key for key in getattr(settings, "SECRET_KEY_FALLBACKS", None) or [] if key]
    return MultiFernet([_current(), *(_derive(key) for key in fallbacks)])


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _all_keys().decrypt(token.encode()).decode()
    except InvalidToken:
        log.error("A stored Stripe secret cannot be decrypted (was SECRET_KEY rotated without keeping the old "
                  "one in SECRET_KEY_FALLBACKS?); enter it again.")
        return ""


def _opens(fernet, token: str) -> bool:
    try:
        fernet.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def readable(token: str) -> bool:
    """Whether a stored secret opens with the current key or a fallback (an empty one does)."""
    return not token or _opens(_all_keys(), token)


def needs_reencryption(token: str) -> bool:
    """Whether a stored secret opens only with a fallback key (it is re-encrypted at the next save)."""
    return bool(token) and readable(token) and not _opens(_current(), token)


def reencrypt(token: str) -> str:
    """The same secret encrypted with the current key; unchanged when it is already, or unreadable."""
    if not needs_reencryption(token):
        return token
    return _all_keys().rotate(token.encode()).decode()
