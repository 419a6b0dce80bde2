"""
Who may enter a paid course: the enrollment gate (``gate``, an openedx-filters step on every
enrollment path) and enrollments made without payment from the back office (``backoffice``).
"""
