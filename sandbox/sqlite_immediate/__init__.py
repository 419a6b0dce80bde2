"""
SQLite with ``BEGIN IMMEDIATE`` transactions, for Django releases before 5.1.

Django 5.1 added the ``transaction_mode`` option; on 4.2 this engine does the
same, so that concurrent writers in the sandbox (the webhook and the learner's
return) wait for each other instead of failing with "database is locked".
"""
