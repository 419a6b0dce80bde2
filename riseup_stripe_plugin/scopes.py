"""
The audience-scope vocabulary at its first path: migration 0003 names ``riseup_stripe_plugin.scopes.ScopesField``.

The code lives in ``catalog.scopes``; this module keeps the migration's import working.
"""

from .catalog.scopes import (
    ALL_SCOPES,
    DEFAULT_SCOPE,
    AudienceScope,
    ScopesField,
    join_scopes,
    split_scopes,
    validate_scopes,
)

__all__ = ["ALL_SCOPES", "DEFAULT_SCOPE", "AudienceScope", "ScopesField", "join_scopes", "split_scopes",
           "validate_scopes"]
