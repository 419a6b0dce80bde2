"""
What is for sale and to whom: course offers and their Stripe mirror (``offers``), setting a price
(``pricing``), audience scopes (``scopes``: the vocabulary and its model field; ``audience``: which
scope a learner has and what it lets them see), and the catalog listing (``listing``).
"""
