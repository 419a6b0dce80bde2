"""
The README's demo command, run as a person would: start it, sign in, buy, pay, come back enrolled.

Everything goes over HTTP to the demo process (sandbox LMS + emulator), as a
browser would, without sharing anything with the test process.
"""

import csv
import datetime
import io
import os
import re
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    port = free_port()
    env = dict(os.environ, SANDBOX_SQLITE_PATH=str(tmp_path_factory.mktemp("demo") / "demo.sqlite3"),
               DJANGO_SETTINGS_MODULE="sandbox.settings.demo", PYTHONUNBUFFERED="1")
    env.pop("RISEUP_TEST_DB", None)
    log = tmp_path_factory.mktemp("demo-log") / "demo.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "sandbox.demo", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/", timeout=5).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its first page still rendering
            time.sleep(0.3)
        if process.poll() is not None:
            break
    else:
        process.kill()
        process.wait(5)
        pytest.fail("the demo did not start:\n" + log.read_text())
    if process.poll() is not None:
        pytest.fail("the demo exited:\n" + log.read_text())
    yield base, log
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def sign_in(session, base, username, password):
    page = session.get(base + "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(base + "/login/", data={"username": username, "password": password,
                                                    "csrfmiddlewaretoken": token, "next": "/"},
                            headers={"Referer": base + "/login/"})
    assert response.url == base + "/", "sign-in failed"


def test_demo_prints_how_to_use_it(demo):
    base, log = demo
    text = log.read_text()
    assert f"Open:      {base}/" in text
    assert "learner     learner-pass" in text and "admin       admin-pass" in text
    assert "    WELCOME10   10% off\n" in text
    assert "    FREECOURSE  100% off: the course is free, no card asked\n" in text
    assert ("The instructor teaches: Open Learning 101, Selling Courses with Stripe, Japanese for Business, "
            "Data Literacy, Internal Onboarding, Partner Sales Academy\n") in text


def test_make_demo_takes_a_port():
    """``make demo PORT=8001`` hands the port to the demo (make's dry run prints the command it would run)."""
    made = subprocess.run(["make", "-n", "demo", "PORT=8001", "KEEP=1"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    assert "-m sandbox.demo --port 8001 --keep" in made


def test_demo_purchase_from_sign_in_to_invoice(demo):
    base, _ = demo
    session = requests.Session()
    sign_in(session, base, "learner", "learner-pass")
    home = session.get(base + "/").text
    for text in ("Selling Courses with Stripe", "€49.00 incl. tax", "¥5,000 incl. tax", "$19.99 incl. tax"):
        assert text in home
    course = "course-v1:RiseUp+STRIPE201+2026"
    page = session.get(f"{base}/riseup-stripe/courses/{course}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    checkout = session.post(f"{base}/riseup-stripe/courses/{course}/buy/", data={"csrfmiddlewaretoken": token},
                            headers={"Referer": page.url})
    assert "/pay/cs_test_" in checkout.url and "49.00 EUR" in checkout.text
    # The emulator's payment form, submitted as the browser would (prefilled test card), with a voucher.
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', checkout.text))
    fields["promotion_code"] = "WELCOME10"
    back = session.post(checkout.url, data=fields)
    assert "/riseup-stripe/checkout/return/" in back.url
    assert 'data-state="fulfilled"' in back.text and "€44.10" in back.text
    assert "Welcome to the course content." in session.get(f"{base}/courses/{course}/courseware/").text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        invoices = session.get(base + "/riseup-stripe/api/v1/invoices/").json()
        if invoices["count"]:
            break
        time.sleep(0.2)
    assert invoices["count"] == 1
    assert invoices["results"][0]["total"] == 4410 and invoices["results"][0]["discount"] == 490


def test_demo_dashboard_shows_months_of_sales(demo):
    base, log = demo
    assert "/admin/riseup_stripe_plugin/invoice/dashboard/" in log.read_text()
    session = requests.Session()
    sign_in(session, base, "admin", "admin-pass")
    end = datetime.date.today() + datetime.timedelta(days=1)
    period = {"granularity": "month", "start": (end - datetime.timedelta(days=150)).isoformat(),
              "end": end.isoformat()}
    page = session.get(f"{base}/admin/riseup_stripe_plugin/invoice/dashboard/", params=period)
    assert page.status_code == 200
    # Seeded sales in the three currencies, with refunds, codes and countries; an empty month shows none.
    for text in ('id="revenue-EUR"', 'id="revenue-USD"', 'id="revenue-JPY"', "WELCOME10", "France"):
        assert text in page.text, text
    assert page.text.count('class="riseup-chart"') == 3
    rows = list(csv.DictReader(io.StringIO(session.get(f"{base}/admin/riseup_stripe_plugin/invoice/dashboard/",
                                                       params={**period, "format": "csv"}).text)))
    months = [row for row in rows if row["section"] == "revenue" and row["period"] == "current"]
    assert sum(int(row["purchases"]) for row in months) > 20
    assert any(Decimal(row["credited"]) > 0 for row in months)


def test_demo_errors_are_plain_pages_and_the_admin_keeps_its_styles(demo):
    base, _ = demo
    unknown = requests.get(f"{base}/riseup-stripe/courses/course-v1:Nobody+NONE+2026/", timeout=10)
    assert unknown.status_code == 404
    assert "Page not found" in unknown.text
    assert "URLconf" not in unknown.text and "URL patterns" not in unknown.text and "DEBUG" not in unknown.text
    not_a_key = requests.get(f"{base}/courses/not-a-course/about/", timeout=10)
    assert not_a_key.status_code == 404 and "URLconf" not in not_a_key.text
    huge = requests.post(f"{base}/riseup-stripe/webhook/", data=b"x" * (3 * 1024 * 1024), timeout=30,
                         headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"})
    assert huge.status_code == 400
    assert "Traceback" not in huge.text and len(huge.content) < 2000
    css = requests.get(f"{base}/static/admin/css/base.css", timeout=10)
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]
