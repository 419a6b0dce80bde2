"""Test settings for the plugin when loaded by the platform's own test settings."""

from .common import plugin_settings as common_plugin_settings


def plugin_settings(settings):
    common_plugin_settings(settings)
