"""Production: settings may also come from the platform's YAML configuration (ENV_TOKENS)."""

from .. import conf
from .common import plugin_settings as common_plugin_settings


def plugin_settings(settings):
    common_plugin_settings(settings)
    env_tokens = getattr(settings, "ENV_TOKENS", None) or {}
    for name in conf.DEFAULTS:
        if name in env_tokens:
            setattr(settings, name, env_tokens[name])
