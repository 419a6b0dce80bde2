"""
A stand-in for the Open edX platform, for tests and the demo.

It keeps courses, enrollments and course roles in a few tables and, like the
platform, runs the real openedx-filters on enrollment and unenrollment.
"""
