"""
The money after the payment: invoices (``invoices``), the administrator's cancellation by credit note
(``cancellation``), our copies of credit notes (``credit_notes``), refunds and credit notes made in the
Stripe Dashboard (``refunds``), bringing an invoice in line with them (``settlement``), disputes
(``disputes``), and finding the order behind a charge (``charges``).
"""
