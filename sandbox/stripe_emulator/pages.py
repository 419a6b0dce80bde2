"""HTML pages a browser sees: the hosted payment page and the hosted invoice.

Plain HTML forms (no JavaScript), labelled fields, ``<meta charset="utf-8">``
and the language of the session (French or English), so browser tests and
the demo go through the same steps as on Stripe's hosted Checkout: review the
order, enter a card (prefilled with Stripe's 4242 test card), optionally a
promotion code, pay, and come back to ``success_url``.
"""

import html
from urllib.parse import quote

from aiohttp import web

from . import pdf, state
from ._localstripe import UserError, store
from .checkout import pay
from .money import format_amount

DECLINED_CARDS = {"4000000000000002", "4000000000009995", "4000000000009987"}

TEXTS = {
    "en": {
        "banner": "Test mode — emulator",
        "title": "Pay {merchant}",
        "summary": "Order summary",
        "quantity": "Qty {quantity}",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "tax": "Tax included",
        "tax_exclusive": "Tax",
        "total": "Total due",
        "email": "Email",
        "card": "Card information",
        "card_number": "Card number",
        "expiry": "Expiry (MM / YY)",
        "cvc": "CVC",
        "cardholder": "Name on card",
        "promotion_code": "Promotion code",
        "pay": "Pay {amount}",
        "cancel": "Cancel and return",
        "declined": "Your card was declined. Try another card.",
        "invalid_card": "Your card number is incomplete or invalid.",
        "expired": "This checkout session has expired.",
        "complete": "This checkout session is already paid.",
        "not_found": "This checkout session does not exist.",
        "paid_title": "Payment received",
        "paid_text": "Thank you, your payment was received.",
        "test_cards": "Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.",
    },
    "fr": {
        "banner": "Mode test — émulateur",
        "title": "Payer {merchant}",
        "summary": "Récapitulatif de la commande",
        "quantity": "Qté {quantity}",
        "subtotal": "Sous-total",
        "discount": "Remise",
        "tax": "TVA incluse",
        "tax_exclusive": "TVA",
        "total": "Total à payer",
        "email": "E-mail",
        "card": "Informations de carte",
        "card_number": "Numéro de carte",
        "expiry": "Date d'expiration (MM / AA)",
        "cvc": "CVC",
        "cardholder": "Nom sur la carte",
        "promotion_code": "Code promotionnel",
        "pay": "Payer {amount}",
        "cancel": "Annuler et revenir",
        "declined": "Votre carte a été refusée. Essayez une autre carte.",
        "invalid_card": "Votre numéro de carte est incomplet ou invalide.",
        "expired": "Cette session de paiement a expiré.",
        "complete": "Cette session de paiement est déjà réglée.",
        "not_found": "Cette session de paiement n'existe pas.",
        "paid_title": "Paiement reçu",
        "paid_text": "Merci, votre paiement a bien été reçu.",
        "test_cards": "Cartes de test : 4242 4242 4242 4242 paie, 4000 0000 0000 0002 est refusée.",
    },
}

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}
.banner{background:#ffd666;color:#1a1f36;text-align:center;padding:.4rem;font-weight:600}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:2rem;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.1)}
h1{font-size:1.4rem}h2{font-size:1.1rem}
label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8792a2;
border-radius:4px}
fieldset{border:1px solid #d5dbe1;border-radius:6px;margin-top:1rem}
button{margin-top:1.5rem;width:100%;padding:.8rem;font-size:1.05rem;background:#635bff;color:#fff;border:0;
border-radius:6px;cursor:pointer}
button:focus,a:focus,input:focus{outline:3px solid #0a2540;outline-offset:2px}
.error{background:#fde8e8;color:#8a1414;padding:.8rem;border-radius:4px;margin-top:1rem}
table{width:100%;border-collapse:collapse}td,th{padding:.3rem 0;text-align:left}
td.amount,th.amount{text-align:right}.total{font-weight:700;border-top:1px solid #d5dbe1}
.cancel{display:inline-block;margin-top:1rem}.hint{color:#4f566b;font-size:.85rem}
"""


def language(locale):
    return "fr" if (locale or "").lower().startswith("fr") else "en"


def esc(value):
    return html.escape("" if value is None else str(value), quote=True)


def document(lang, title, body):
    texts = TEXTS[lang]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<div class="banner" role="note">{esc(texts["banner"])}</div>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def page(lang, title, body, status=200):
    return web.Response(text=document(lang, title, body), content_type="text/html", charset="utf-8", status=status)


def summary_table(session, texts):
    amounts = session._amounts()
    currency = session.currency
    rows = []
    for item in amounts["lines"]:
        product = store.get(f"product:{item['price'].product}")
        name = product.name if product else item["price"].id
        quantity = texts["quantity"].format(quantity=item["line"]["quantity"])
        rows.append(
            f'<tr><td><span class="product">{esc(name)}</span> <span class="hint">{esc(quantity)}'
            f'</span></td><td class="amount">{esc(format_amount(item["gross"], currency))}</td></tr>'
        )
    if amounts["discount"]:
        rows.append(
            f'<tr><td>{esc(texts["discount"])}</td><td class="amount">'
            f"-{esc(format_amount(amounts['discount'], currency))}</td></tr>"
        )
    if amounts["tax"]:
        inclusive = all(tax["rate"].inclusive for item in amounts["lines"] for tax in item["taxes"])
        label = texts["tax"] if inclusive else texts["tax_exclusive"]
        rows.append(
            f'<tr><td>{esc(label)}</td><td class="amount">{esc(format_amount(amounts["tax"], currency))}</td></tr>'
        )
    rows.append(
        f'<tr class="total"><td>{esc(texts["total"])}</td><td class="amount" id="total">'
        f"{esc(format_amount(amounts['total'], currency))}</td></tr>"
    )
    return (
        f'<section aria-labelledby="summary-title"><h2 id="summary-title">{esc(texts["summary"])}</h2>'
        f'<table><caption class="hint">{esc(state.MERCHANT_NAME)}</caption><tbody>{"".join(rows)}'
        f"</tbody></table></section>"
    ), amounts


def checkout_page(session, error=None, form=None, status=200):
    lang = language(session.locale)
    texts = TEXTS[lang]
    form = form or {}
    title = texts["title"].format(merchant=state.MERCHANT_NAME)
    parts = [f"<h1>{esc(title)}</h1>"]
    if session.status != "open":
        message = texts["expired"] if session.status == "expired" else texts["complete"]
        parts.append(f'<p role="status" id="session-status">{esc(message)}</p>')
        if session.cancel_url and session.status == "expired":
            parts.append(f'<a class="cancel" id="cancel" href="{esc(session.cancel_url)}">{esc(texts["cancel"])}</a>')
        return page(lang, title, "\n".join(parts), status)
    table, amounts = summary_table(session, texts)
    parts.append(table)
    if error:
        parts.append(f'<div class="error" role="alert" id="error">{esc(error)}</div>')
    email = form.get("email")
    if email is None:
        customer = store.get(f"customer:{session.customer}") if session.customer else None
        email = session.customer_email or (customer.email if customer else "") or ""
    fields = [
        f'<form method="post" action="/pay/{esc(session.id)}" novalidate>',
        f'<label for="email">{esc(texts["email"])}</label>',
        f'<input id="email" name="email" type="email" autocomplete="email" required value="{esc(email)}">',
        f"<fieldset><legend>{esc(texts['card'])}</legend>",
        f'<label for="card_number">{esc(texts["card_number"])}</label>',
        (
            '<input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" '
            f'required value="{esc(form.get("card_number", "4242 4242 4242 4242"))}">'
        ),
        f'<label for="card_expiry">{esc(texts["expiry"])}</label>',
        (
            '<input id="card_expiry" name="card_expiry" autocomplete="cc-exp" required '
            f'value="{esc(form.get("card_expiry", "12 / 34"))}">'
        ),
        f'<label for="card_cvc">{esc(texts["cvc"])}</label>',
        (
            '<input id="card_cvc" name="card_cvc" inputmode="numeric" autocomplete="cc-csc" required '
            f'value="{esc(form.get("card_cvc", "123"))}">'
        ),
        f'<label for="cardholder_name">{esc(texts["cardholder"])}</label>',
        (
            '<input id="cardholder_name" name="cardholder_name" autocomplete="cc-name" '
            f'value="{esc(form.get("cardholder_name", ""))}">'
        ),
        "</fieldset>",
    ]
    if session.allow_promotion_codes:
        fields += [
            f'<label for="promotion_code">{esc(texts["promotion_code"])}</label>',
            (
                '<input id="promotion_code" name="promotion_code" autocomplete="off" '
                f'value="{esc(form.get("promotion_code", ""))}">'
            ),
        ]
    pay_label = texts["pay"].format(amount=format_amount(amounts["total"], session.currency))
    fields += [
        f'<button type="submit" id="pay">{esc(pay_label)}</button>',
        "</form>",
        f'<p class="hint">{esc(texts["test_cards"])}</p>',
    ]
    parts += fields
    if session.cancel_url:
        parts.append(f'<a class="cancel" id="cancel" href="{esc(session.cancel_url)}">{esc(texts["cancel"])}</a>')
    return page(lang, title, "\n".join(parts), status)


def luhn_ok(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


async def show_checkout(request):
    session = store.get(f"checkout.session:{request.match_info['id']}")
    if session is None:
        texts = TEXTS["en"]
        return page("en", texts["not_found"], f"<h1>{esc(texts['not_found'])}</h1>", status=404)
    session._refresh()
    return checkout_page(session)


async def submit_checkout(request):
    session = store.get(f"checkout.session:{request.match_info['id']}")
    if session is None:
        return page("en", "Not found", f"<h1>{esc(TEXTS['en']['not_found'])}</h1>", status=404)
    session._refresh()
    if session.status != "open":
        return checkout_page(session, status=409)
    texts = TEXTS[language(session.locale)]
    form = {key: value for key, value in (await request.post()).items() if isinstance(value, str)}
    digits = "".join(ch for ch in form.get("card_number", "") if ch.isdigit())
    if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
        return checkout_page(session, texts["invalid_card"], form, status=400)
    outcome = "declined" if digits in DECLINED_CARDS else "paid"
    try:
        pay(
            session.id,
            email=form.get("email") or None,
            name=form.get("cardholder_name") or None,
            promotion_code=form.get("promotion_code") or None,
            outcome=outcome,
        )
    except UserError as error:
        message = texts["declined"] if error.code == 402 else error.body["error"].get("message")
        return checkout_page(session, message, form, status=error.code)
    if session.success_url:
        target = session.success_url.replace("{CHECKOUT_SESSION_ID}", quote(session.id, safe=""))
        raise web.HTTPSeeOther(target)
    return page(
        language(session.locale),
        texts["paid_title"],
        f'<h1>{esc(texts["paid_title"])}</h1><p role="status">{esc(texts["paid_text"])}</p>',
    )


# -- hosted invoice and PDFs ----------------------------------------------------
def _invoice_or_404(request):
    invoice = store.get(f"invoice:{request.match_info['id']}")
    if invoice is None or not hasattr(invoice, "_lines"):
        raise web.HTTPNotFound(text="No such invoice")
    return invoice


async def show_invoice(request):
    invoice = _invoice_or_404(request)
    customer = store.get(f"customer:{invoice.customer}")
    lang = language((customer.preferred_locales or [None])[0] if customer else None)
    currency = invoice.currency
    rows = [
        f"<tr><td>{esc(line['description'])} × {line['quantity']}</td>"
        f'<td class="amount">{esc(format_amount(line["amount"], currency))}</td></tr>'
        for line in invoice._lines
    ]
    for discount in invoice.total_discount_amounts:
        rows.append(
            f'<tr><td>Discount</td><td class="amount">-{esc(format_amount(discount["amount"], currency))}</td></tr>'
        )
    for tax in invoice.total_taxes:
        rate = store.get(f"tax_rate:{tax['tax_rate_details']['tax_rate']}")
        label = f"{rate.display_name} {rate._computed()['percentage']} %" if rate else "Tax"
        if tax["tax_behavior"] == "inclusive":
            label += " (included)"
        rows.append(
            f'<tr><td>{esc(label)}</td><td class="amount">{esc(format_amount(tax["amount"], currency))}</td></tr>'
        )
    rows.append(
        f'<tr class="total"><td>Total</td><td class="amount" id="total">'
        f"{esc(format_amount(invoice.total, currency))}</td></tr>"
    )
    rows.append(
        f'<tr><td>Amount paid</td><td class="amount">{esc(format_amount(invoice.amount_paid, currency))}</td></tr>'
    )
    if invoice.post_payment_credit_notes_amount:
        rows.append(
            f'<tr><td>Credited</td><td class="amount">'
            f"-{esc(format_amount(invoice.post_payment_credit_notes_amount, currency))}</td></tr>"
        )
    body = (
        f'<h1>Invoice <span id="number">{esc(invoice.number)}</span></h1>'
        f'<p>{esc(state.MERCHANT_NAME)} — <span id="status">{esc(invoice.status)}</span></p>'
        f"<p>Billed to {esc(invoice.customer_name or '')} &lt;{esc(invoice.customer_email or '')}&gt;</p>"
        f"<table><tbody>{''.join(rows)}</tbody></table>"
        + (f"<p>{esc(invoice.description)}</p>" if invoice.description else "")
        + (f'<p class="hint">{esc(invoice.footer)}</p>' if invoice.footer else "")
        + f'<p><a href="{esc(invoice.invoice_pdf)}">Download PDF</a></p>'
    )
    return page(lang, f"Invoice {invoice.number}", body)


def pdf_response(content, filename):
    return web.Response(
        body=content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def pdf_document(title, number, details, body):
    """Both PDFs open the same way: title, merchant, details, a blank line."""
    lines = [title, state.MERCHANT_NAME, *details, "", *body]
    return pdf_response(pdf.render(lines, title), f"{number}.pdf")


async def invoice_pdf(request):
    invoice = _invoice_or_404(request)
    details = [
        f"Status: {invoice.status}",
        f"Billed to: {invoice.customer_name or ''} <{invoice.customer_email or ''}>",
    ]
    body = []
    for line in invoice._lines:
        body.append(f"{line['description']} x {line['quantity']}: {format_amount(line['amount'], invoice.currency)}")
    for tax in invoice.total_taxes:
        body.append(f"Tax ({tax['tax_behavior']}): {format_amount(tax['amount'], invoice.currency)}")
    body.append(f"Total: {format_amount(invoice.total, invoice.currency)}")
    body.append(f"Amount paid: {format_amount(invoice.amount_paid, invoice.currency)}")
    return pdf_document(f"Invoice {invoice.number}", invoice.number, details, body)


async def credit_note_pdf(request):
    note = store.get(f"credit_note:{request.match_info['id']}")
    if note is None:
        raise web.HTTPNotFound(text="No such credit note")
    invoice = store.get(f"invoice:{note.invoice}")
    details = [f"Invoice: {invoice.number if invoice else note.invoice}", f"Status: {note.status}"]
    body = [f"{line['description']}: -{format_amount(line['amount'], note.currency)}" for line in note._lines]
    body.append(f"Total credited: {format_amount(note.total, note.currency)}")
    refunded = sum(entry["amount_refunded"] for entry in note.refunds)
    if refunded:
        body.append(f"Refunded: {format_amount(refunded, note.currency)}")
    if note.memo:
        body.append(f"Memo: {note.memo}")
    return pdf_document(f"Credit note {note.number}", note.number, details, body)


async def receipt(request):
    charge = store.get(f"charge:{request.match_info['id']}")
    if charge is None:
        raise web.HTTPNotFound(text="No such charge")
    body = (
        f"<h1>Receipt from {esc(state.MERCHANT_NAME)}</h1>"
        f'<p>Amount paid: <span id="total">{esc(format_amount(charge.amount, charge.currency))}</span></p>'
        f"<p>Status: {esc(charge.status)}</p>"
    )
    return page("en", "Receipt", body)


async def index(request):
    body = (
        "<h1>Stripe emulator</h1><p>A local stand-in for the Stripe API (test mode only). "
        "API base: <code>/v1</code>; test helpers: <code>/_test</code>.</p>"
    )
    return page("en", "Stripe emulator", body)


def add_routes(router):
    router.add_get("/", index)
    router.add_get("/pay/{id}", show_checkout)
    router.add_post("/pay/{id}", submit_checkout)
    router.add_get("/invoice/{id}", show_invoice)
    router.add_get("/invoice/{id}/pdf", invoice_pdf)
    router.add_get("/credit_note/{id}/pdf", credit_note_pdf)
    router.add_get("/receipt/{id}", receipt)
