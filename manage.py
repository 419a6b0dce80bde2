#!/usr/bin/env python
"""Management commands of the sandbox LMS (the stand-in platform used by the demo and the tests)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings.demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
