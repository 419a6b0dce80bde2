"""
The MFE widgets in a real browser (Debian's Chromium driven by Playwright).

The harness (frontend/harness) mounts the widgets through the real PluginSlot of
frontend-plugin-framework with the env.config.jsx the Tutor plugin renders (tutor-mfe and this
plugin enabled), on stand-ins of the catalog MFE's pages. It is built in the test session against
the live sandbox LMS, served from the LMS's own origin under /harness/ (test settings only), and
talks to the LMS's storefront, purchase and catalog APIs; Checkout is the Stripe emulator's.

Screenshots go to ``$RISEUP_SCREENSHOTS`` when set (``docs/images`` refreshes the README's),
else to the test's temporary folder.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from riseup_stripe_plugin.models import Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .test_browser import browser, page, sign_in  # noqa: F401  (fixtures and helper shared with the purchase test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
MIN_NODE = 18


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="session")
def node():
    found = shutil.which("node")
    if not found:
        pytest.skip("node is not installed: the MFE widgets' harness is built with Node 18 or newer")
    version = _run([found, "--version"]).strip()
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE:
        pytest.skip(f"node {version} is too old: the MFE widgets' harness needs Node 18 or newer")
    return found


@pytest.fixture(scope="session")
def tutor_env_config(tmp_path_factory):
    """The env.config.jsx (and the widgets' copy beside it) that Tutor renders with tutor-mfe and this plugin."""
    tutor = shutil.which("tutor", path=os.path.dirname(sys.executable)) or shutil.which("tutor")
    assert tutor, "tutor is not installed (scripts/venv.sh installs it with tutor-mfe)"
    base = tmp_path_factory.mktemp("tutor")
    env = {**os.environ, "TUTOR_ROOT": str(base / "root"), "TUTOR_PLUGINS_ROOT": str(base / "plugins"),
           "HOME": str(base / "home")}
    _run([tutor, "config", "save", "--set", "LMS_HOST=lms.example.com"], env=env)
    _run([tutor, "plugins", "enable", "mfe", "riseup_stripe"], env=env)
    rendered = base / "root" / "env" / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx"
    assert "riseupStripeWidgets.BuyButton" in rendered.read_text()
    return rendered


@pytest.fixture(scope="session")
def harness_build(node, tutor_env_config, live_server, tmp_path_factory):
    """``npm ci`` (when node_modules is not that of the lockfile), then the harness for this LMS."""
    npm = shutil.which("npm")
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (FRONTEND / "package-lock.json").stat().st_mtime:
        assert npm, "npm is not installed"
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FRONTEND)
    out = tmp_path_factory.mktemp("harness")
    env = {**os.environ, "LMS_BASE_URL": live_server.url, "ENV_CONFIG": str(tutor_env_config), "HARNESS_OUT": str(out)}
    _run([node, "harness/build.mjs"], cwd=FRONTEND, env=env)
    assert (out / "harness-catalog.js").is_file() and (out / "index.html").is_file()
    return out


@pytest.fixture
def mfe(lms, harness_build, settings):
    """The sandbox LMS serving the harness built for it."""
    settings.SANDBOX_HARNESS_DIR = str(harness_build)
    return lms


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("RISEUP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def text(locator):
    return locator.inner_text().replace("\u202f", " ").replace("\xa0", " ").strip()


def storefront_requests(browser_page):
    """The storefront API requests the page makes (the widgets share one per page)."""
    seen = []
    browser_page.on("request", lambda request: seen.append(request.url)
                    if "/riseup-stripe/api/v1/storefront/" in request.url else None)
    return seen


def about_url(base, course_id):
    return f"{base}/harness/index.html?page=about&course={quote(str(course_id))}"


def mfe_about_path(course_id):
    return f"/harness/courses/{quote(str(course_id), safe='')}/about"


def test_buy_in_one_click_from_the_mfe_about_page(mfe, page, stripe, shots):  # noqa: F811
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    sign_in(page, mfe.url, learner.username)
    requests = storefront_requests(page)
    page.goto(about_url(mfe.url, course.id))

    buy = page.locator("[data-riseup-stripe=buy]")
    assert text(buy) == "Buy – €49.00 incl. tax"
    # The MFE's own sidebar row, its value ours.
    assert text(page.locator("[data-mfe=sidebar-price-value]")) == "€49.00 incl. tax"
    assert page.locator("[data-mfe=enroll]").count() == 0  # the paid course's button is ours
    assert page.evaluate("window.HARNESS_SLOTS_FROM") == "env.config"  # Tutor's rendered configuration
    assert urlsplit(page.url).path == mfe_about_path(course.id)
    assert len(requests) == 1, requests  # one storefront request for the button and the sidebar price
    page.screenshot(path=str(shots / "mfe-about-buy.png"))

    buy.click()
    page.wait_for_url(lambda url: "/pay/" in url)  # one click: straight to Checkout
    order = Order.objects.get(user=learner, course_key=course.id)
    session = stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id)
    assert urlsplit(session.cancel_url).path == mfe_about_path(course.id)
    page.click("#pay")

    page.wait_for_url(lambda url: "/riseup-stripe/checkout/return/" in url)
    assert page.locator("[data-testid=outcome]").get_attribute("data-state") == "fulfilled"
    assert enrollment.is_enrolled(learner, course.id)
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED

    # Back on the MFE page: bought, "View course" instead of Buy.
    page.goto(about_url(mfe.url, course.id))
    page.locator(".riseup-stripe-bought").wait_for()
    assert page.locator("[data-riseup-stripe=buy]").count() == 0
    assert page.get_by_role("link", name="View course").get_attribute("href").endswith(
        f"/courses/{course.id}/courseware/")
    page.screenshot(path=str(shots / "mfe-about-bought.png"))


def test_checkout_cancel_link_returns_to_the_mfe_page(mfe, page):  # noqa: F811
    learner = factories.user()
    course, _ = factories.paid_course(price=2500, currency="eur", name="Cancelled Checkout")
    sign_in(page, mfe.url, learner.username)
    page.goto(about_url(mfe.url, course.id))
    buy = page.locator("[data-riseup-stripe=buy]")
    buy.wait_for()
    came_from = page.url  # the MFE's about page path, /harness/courses/<id>/about
    assert urlsplit(came_from).path == mfe_about_path(course.id)
    buy.click()
    page.wait_for_url(lambda url: "/pay/" in url)
    page.click("#cancel")

    page.wait_for_url(came_from)
    assert text(page.locator("[data-riseup-stripe=buy]")) == "Buy – €25.00 incl. tax"
    assert not enrollment.is_enrolled(learner, course.id)
    assert not Order.objects.filter(user=learner, state=OrderState.FULFILLED).exists()


def test_free_course_keeps_the_platform_button(mfe, page):  # noqa: F811
    learner = factories.user()
    free = factories.course(name="Open Learning 101")
    sign_in(page, mfe.url, learner.username)
    page.goto(about_url(mfe.url, free.id))

    enroll = page.locator("[data-mfe=enroll]")
    assert text(enroll) == "Enroll now"  # the MFE's own button, kept by the Wrap
    assert page.locator("[data-riseup-stripe=buy]").count() == 0
    assert text(page.locator("[data-mfe=sidebar-price-value]")) == "Free"

    # The platform's button still enrolls: POST /change_enrollment (the real filter lets a free course
    # through), then the learner dashboard, as the MFE does on 200.
    with page.expect_response(lambda r: urlsplit(r.url).path == "/change_enrollment") as answer:
        enroll.click()
    assert answer.value.status == 200
    assert answer.value.request.post_data_json == {"course_id": str(free.id), "enrollment_action": "enroll"}
    page.wait_for_url(lambda url: "page=dashboard" in url)
    assert text(page.locator("[data-card=card-0] h3")) == str(free.id)
    assert enrollment.is_enrolled(learner, free.id)


def test_paid_course_enroll_is_refused_by_the_gate_in_the_mfe(mfe, page):  # noqa: F811
    """Should the platform's button be drawn for a paid course (the widget not loaded), the gate refuses it."""
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, currency="eur", name="Gated")
    sign_in(page, mfe.url, learner.username)
    page.route("**/riseup-stripe/api/v1/storefront/**", lambda route: route.abort())  # the widget keeps the default
    page.goto(about_url(mfe.url, course.id))
    enroll = page.locator("[data-mfe=enroll]")
    with page.expect_response(lambda r: urlsplit(r.url).path == "/change_enrollment") as answer:
        enroll.click()
    assert answer.value.status == 400
    assert answer.value.text().startswith("This course is paid. Buy it to enroll: ")
    assert text(page.locator("[data-mfe=enroll-result]")) == "An error occurred. Please try again later."
    assert urlsplit(page.url).path == mfe_about_path(course.id)  # the page stays
    assert not enrollment.is_enrolled(learner, course.id)


def test_catalog_cards_and_price_filter(mfe, page, shots):  # noqa: F811
    learner = factories.user()
    free = factories.course(name="Open Learning 101")
    paid, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    cheap, _ = factories.paid_course(price=1999, currency="usd", name="Data Literacy")
    sign_in(page, mfe.url, learner.username)
    requests = storefront_requests(page)
    ids = ",".join(quote(str(course.id)) for course in (free, paid, cheap))
    page.goto(f"{mfe.url}/harness/index.html?page=catalog&courses={ids}")

    badges = page.locator("[data-riseup-stripe=badge]")
    badges.nth(1).wait_for()
    assert sorted(text(badges.nth(i)) for i in range(badges.count())) == ["$19.99 incl. tax", "€49.00 incl. tax"]
    assert len(requests) == 1, requests  # all the cards of the page in one request
    page.locator("#riseup-stripe-price-kind").select_option("paid")
    page.get_by_label("Maximum price").fill("30")
    page.get_by_role("button", name="Show courses").click()

    results = page.locator("[data-riseup-stripe=filter-results]")
    results.wait_for()
    assert "1 course matches this price filter." in text(results)
    assert "Data Literacy" in text(results) and "Selling Courses with Stripe" not in text(results)
    page.screenshot(path=str(shots / "mfe-catalog-price-filter.png"), full_page=True)
