"""
The MFEs' way in, as the LMS serves it: CORS for whitelisted MFE origins (django-cors-headers), a CSRF
token from ``/csrf/api/v1/token`` (edx-drf-extensions), and the JWT cookies set at sign-in
(``JwtAuthCookieMiddleware`` + ``JwtAuthentication``); the storefront and purchases APIs take them,
and the session too. The sandbox runs the same middleware and views as the platform.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from riseup_stripe_plugin.models import Order
from riseup_stripe_plugin.stripe_gateway import StripeGateway
from sandbox.platform.jwt_cookies import HEADER_PAYLOAD_COOKIE, SIGNATURE_COOKIE

from . import factories

pytestmark = pytest.mark.django_db

MFE = "http://apps.local.openedx.io:1998"
ELSEWHERE = "http://evil.example"
STOREFRONT = "/riseup-stripe/api/v1/storefront/"
PURCHASES = "/riseup-stripe/api/v1/purchases/"


def _sign_in(user):
    """Sign in through the sandbox's sign-in page, as a browser does; returns the cookies it got."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.username, "password": "pass"})
    assert response.status_code == 302
    return response.cookies


def _mfe_client(cookies, *, names=(HEADER_PAYLOAD_COOKIE, SIGNATURE_COOKIE)):
    """A browser on an MFE page: it sends the LMS's cookies named, and Django enforces CSRF as in production."""
    client = Client(enforce_csrf_checks=True)
    for name in names:
        client.cookies[name] = cookies[name].value
    return client


def _csrf_token(client, origin=MFE):
    response = client.get("/csrf/api/v1/token", HTTP_ORIGIN=origin)
    assert response.status_code == 200
    return response.json()["csrfToken"]


def test_sign_in_sets_the_jwt_cookies_as_the_lms_does():
    import base64

    learner = factories.user()
    cookies = _sign_in(learner)
    header_payload, signature = cookies[HEADER_PAYLOAD_COOKIE], cookies[SIGNATURE_COOKIE]
    assert not header_payload["httponly"] and signature["httponly"]  # the MFE reads the payload, never the signature
    payload = header_payload.value.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["preferred_username"], claims["user_id"]) == (learner.username, learner.pk)


def test_the_storefront_answers_an_mfe_origin_with_the_jwt_cookie_alone():
    learner = factories.user()
    course, _ = factories.paid_course()
    client = _mfe_client(_sign_in(learner))  # no session cookie: the JWT is all it has
    response = client.get(STOREFRONT, {"course_id": str(course.id)}, HTTP_ORIGIN=MFE, HTTP_USE_JWT_COOKIE="true")
    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    assert response.json()["courses"][str(course.id)]["status"] == "available"
    assert response["Access-Control-Allow-Origin"] == MFE
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "private" in response["Cache-Control"]

    # Another origin gets the answer (a GET), but no CORS header: its page's script cannot read it.
    other = client.get(STOREFRONT, {"course_id": str(course.id)}, HTTP_ORIGIN=ELSEWHERE)
    assert "Access-Control-Allow-Origin" not in other


def test_preflight_allows_the_mfe_headers_from_whitelisted_origins_only():
    headers = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
               "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "content-type,x-csrftoken,use-jwt-cookie"}
    allowed = Client().options(PURCHASES, HTTP_ORIGIN=MFE, **headers)
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == MFE
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert {"x-csrftoken", "use-jwt-cookie", "content-type"} <= {
        h.strip() for h in allowed["Access-Control-Allow-Headers"].split(",")}
    refused = Client().options(PURCHASES, HTTP_ORIGIN=ELSEWHERE, **headers)
    assert "Access-Control-Allow-Origin" not in refused


def test_csrf_token_service_sets_the_cookie_for_the_mfe():
    client = Client(enforce_csrf_checks=True)
    response = client.get("/csrf/api/v1/token", HTTP_ORIGIN=MFE)
    assert response.status_code == 200 and response.json()["csrfToken"]
    assert "csrftoken" in response.cookies
    assert response["Access-Control-Allow-Origin"] == MFE


# Transactional: the purchases API is outside the request transaction (it calls Stripe), and DRF marks any
# open transaction for rollback when it refuses (401, 403); inside the test's own that would be the test's.
@pytest.mark.django_db(transaction=True)
def test_buying_from_an_mfe_with_the_jwt_cookie_and_a_csrf_token(stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    client = _mfe_client(_sign_in(learner))
    token = _csrf_token(client)
    back = f"{MFE}/catalog/courses/{course.id}/about"
    body = json.dumps({"course_id": str(course.id), "cancel_url": back})

    # A JWT cookie without a good CSRF check does not authenticate (edx-drf-extensions then treats the
    # request as anonymous): no token, or a token sent from an origin the LMS does not trust.
    refused = client.post(PURCHASES, body, content_type="application/json", HTTP_ORIGIN=MFE)
    assert refused.status_code == 401
    elsewhere = client.post(PURCHASES, body, content_type="application/json", HTTP_ORIGIN=ELSEWHERE,
                            HTTP_X_CSRFTOKEN=token)
    assert elsewhere.status_code == 401
    assert not Order.objects.exists()

    response = client.post(PURCHASES, body, content_type="application/json", HTTP_ORIGIN=MFE,
                           HTTP_X_CSRFTOKEN=token, HTTP_USE_JWT_COOKIE="true")
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == MFE
    order = Order.objects.get(user=learner, course_key=course.id)
    assert response.json() == {"order": str(order.uuid), "checkout_url": order.checkout_url}
    session = StripeGateway().retrieve_checkout_session(order.checkout_session_id)
    assert session["cancel_url"] == back  # Checkout's back link returns to the MFE page


# Transactional: the purchases API is outside the request transaction (it calls Stripe), and DRF marks any
# open transaction for rollback when it refuses (401, 403); inside the test's own that would be the test's.
@pytest.mark.django_db(transaction=True)
def test_buying_with_the_session_and_a_csrf_token(stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    client = _mfe_client(_sign_in(learner), names=("sessionid",))
    token = _csrf_token(client)
    body = json.dumps({"course_id": str(course.id)})
    assert client.post(PURCHASES, body, content_type="application/json", HTTP_ORIGIN=ELSEWHERE,
                       HTTP_X_CSRFTOKEN=token).status_code == 403
    response = client.post(PURCHASES, body, content_type="application/json", HTTP_ORIGIN=MFE,
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    order = Order.objects.get(user=learner)
    session = StripeGateway().retrieve_checkout_session(order.checkout_session_id)
    assert session["cancel_url"].endswith(f"/riseup-stripe/courses/{course.id}/?cancelled=1")


def test_a_cancel_url_on_another_site_is_refused():
    learner = factories.user()
    course, _ = factories.paid_course()
    client = _mfe_client(_sign_in(learner))
    token = _csrf_token(client)
    for url in (f"{ELSEWHERE}/phish", "javascript:alert(1)", "//evil.example/x"):
        response = client.post(PURCHASES, json.dumps({"course_id": str(course.id), "cancel_url": url}),
                               content_type="application/json", HTTP_ORIGIN=MFE, HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 400 and response.json()["error"] == "invalid_cancel_url"
    assert not Order.objects.exists()


def test_anonymous_purchase_from_an_mfe_is_told_to_sign_in():
    course, _ = factories.paid_course()
    client = Client(enforce_csrf_checks=True)
    response = client.post(PURCHASES, json.dumps({"course_id": str(course.id)}), content_type="application/json",
                           HTTP_ORIGIN=MFE)
    assert response.status_code == 401  # the widget sends the learner to sign-in


def test_login_refresh_renews_the_jwt_cookies_of_a_session():
    learner = factories.user()
    client = _mfe_client(_sign_in(learner), names=("sessionid",))
    token = _csrf_token(client)
    response = client.post("/login_refresh", HTTP_ORIGIN=MFE, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.cookies[HEADER_PAYLOAD_COOKIE].value and response.cookies[SIGNATURE_COOKIE].value
    anonymous = Client(enforce_csrf_checks=True)
    token = _csrf_token(anonymous)
    assert anonymous.post("/login_refresh", HTTP_ORIGIN=MFE, HTTP_X_CSRFTOKEN=token).status_code == 401
