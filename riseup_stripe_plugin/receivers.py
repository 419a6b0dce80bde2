"""Receivers the plugin connects when the app is ready (none needed at the moment)."""
