"""
Personal data: how long raw webhook bodies are kept (``retention``) and what the platform's user retirement
removes from the plugin's tables (``retirement``). Invoices keep what the law requires.
"""
