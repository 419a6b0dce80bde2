"""Benchmarks share the test suite's fixtures (emulator, sandbox LMS)."""

from tests.conftest import emulator_process, lms, stripe  # noqa: F401
