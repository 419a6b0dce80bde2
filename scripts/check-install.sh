#!/usr/bin/env bash
# Install the built plugin into a clean virtualenv pinned to the platform's library floors,
# then check that the platform's plugin loader finds the app. Usage: scripts/check-install.sh [python]
set -euo pipefail
python=${1:-python3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$python" -m venv "$dir/venv"
"$dir/venv/bin/python" -m pip install --quiet --upgrade pip
"$dir/venv/bin/python" -m pip install --quiet . \
  "Django>=4.2,<4.3" "openedx-filters==2.1.0" "openedx-events==10.5.0" "edx-django-utils==8.0.1" \
  "djangorestframework==3.16.1" "edx-opaque-keys==3.0.0" "django-crum==0.7.9"
cd "$dir"
"$dir/venv/bin/python" - <<'PY'
import django
from django.conf import settings

settings.configure(INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"])
django.setup()
from edx_django_utils.plugins import get_plugin_apps

for project in ("lms.djangoapp", "cms.djangoapp"):
    apps = get_plugin_apps(project)
    assert "riseup_stripe_plugin.apps.RiseupStripePluginConfig" in apps, (project, apps)
    print(project, "->", apps)
import importlib.util

assert importlib.util.find_spec("sandbox") is None, "the sandbox must not ship in the wheel"
import riseup_stripe_plugin, stripe
print("riseup-stripe-plugin", riseup_stripe_plugin.__version__, "with Django", django.get_version(),
      "and stripe", stripe.VERSION)
PY
