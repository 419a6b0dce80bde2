"""
The platform's JWT cookies, as the LMS sets them at sign-in, for the MFEs' HTTP client.

The LMS signs a JWT for the learner (RS512, its ``JWT_PRIVATE_SIGNING_JWK``) when they sign in, and
splits it across two cookies: ``edx-jwt-cookie-header-payload`` (readable by the MFEs' JavaScript,
which looks at its expiry) and ``edx-jwt-cookie-signature`` (HttpOnly). edx-drf-extensions'
``JwtAuthCookieMiddleware`` puts them back together and ``JwtAuthentication`` verifies the token
with ``JWT_PUBLIC_SIGNING_JWK_SET``. ``/login_refresh`` issues fresh cookies to a signed-in session,
as the MFEs ask when theirs have expired. The sandbox does the same, with a key its settings make at
start-up.
"""

from __future__ import annotations

import json
import time

import jwt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.views.decorators.http import require_POST

HEADER_PAYLOAD_COOKIE = "edx-jwt-cookie-header-payload"
SIGNATURE_COOKIE = "edx-jwt-cookie-signature"


def create_jwt(user, lifetime: int | None = None) -> str:
    """The learner's JWT, with the claims the platform's ``create_jwt_for_user`` puts in it."""
    config = settings.JWT_AUTH
    now = int(time.time())
    payload = {
        "iss": config["JWT_ISSUER"],
        "aud": config["JWT_AUDIENCE"],
        "iat": now,
        "exp": now + (lifetime if lifetime is not None else config.get("JWT_EXPIRATION", 3600)),
        "preferred_username": user.username,
        "user_id": user.pk,
        "email": user.email,
        "email_verified": user.is_active,
        "administrator": user.is_staff,
        "superuser": user.is_superuser,
        "name": user.get_full_name(),
        "scopes": ["user_id", "email", "profile"],
        "version": "1.2.0",
        "filters": [],
        "is_restricted": False,
    }
    private = json.loads(config["JWT_PRIVATE_SIGNING_JWK"])
    return jwt.encode(payload, jwt.PyJWK(private).key, algorithm=config["JWT_SIGNING_ALGORITHM"],
                      headers={"kid": private["kid"]})


def set_jwt_cookies(response, user, lifetime: int | None = None):
    """Split the JWT across the two cookies, as the LMS's ``set_logged_in_cookies`` does."""
    header, payload, signature = create_jwt(user, lifetime).split(".")
    common = {"domain": settings.SESSION_COOKIE_DOMAIN, "secure": settings.SESSION_COOKIE_SECURE,
              "samesite": settings.SESSION_COOKIE_SAMESITE, "max_age": settings.JWT_AUTH.get("JWT_EXPIRATION", 3600)}
    response.set_cookie(HEADER_PAYLOAD_COOKIE, f"{header}.{payload}", httponly=False, **common)
    response.set_cookie(SIGNATURE_COOKIE, signature, httponly=True, **common)
    return response


def delete_jwt_cookies(response):
    for name in (HEADER_PAYLOAD_COOKIE, SIGNATURE_COOKIE):
        response.delete_cookie(name, domain=settings.SESSION_COOKIE_DOMAIN)
    return response


class LoginView(auth_views.LoginView):
    """The sign-in page; a successful sign-in also sets the JWT cookies."""

    template_name = "sandbox/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        return set_jwt_cookies(response, form.get_user())


class LogoutView(auth_views.LogoutView):
    """Signing out removes the JWT cookies with the session."""

    def post(self, request, *args, **kwargs):
        return delete_jwt_cookies(super().post(request, *args, **kwargs))


@require_POST
def login_refresh(request):
    """``POST /login_refresh``: new JWT cookies for a signed-in session; 401 without one (as the LMS)."""
    if not request.user.is_authenticated:
        return delete_jwt_cookies(JsonResponse({"error": "not signed in"}, status=401))
    return set_jwt_cookies(JsonResponse({}), request.user)
