"""
The payment settings an administrator enters: secrets encrypted at rest (``encryption``) and the
"Test connection" check against Stripe (``connection``). Reading the settings is ``conf``'s job.
"""
