"""
The web edges a learner sees: the plugin's own pages (``views``: purchase, return, My invoices;
``catalog``: the catalog page) and the steps that add prices and Buy buttons to the platform's pages
(``course_about``, ``dashboard``). The REST API is in ``riseup_stripe_plugin.api``.
"""
