#!/bin/sh
# Lint, type-check and package checks of the Tutor plugin.
# Needs: pip install -e "tutor_plugin[dev]"  (ruff, mypy, build, twine)
# Run from anywhere: tutor_plugin/lint.sh
set -eu
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python}"

echo "== ruff check"
"$PYTHON" -m ruff check .
echo "== ruff format --check"
"$PYTHON" -m ruff format --check .
echo "== mypy (strict, as Tutor checks itself)"
"$PYTHON" -m mypy --strict --implicit-reexport tutor_riseup_stripe

echo "== build + twine check"
dist="$(mktemp -d)"
trap 'rm -rf "$dist"' EXIT
"$PYTHON" -m build --outdir "$dist" . >/dev/null
"$PYTHON" -m twine check --strict "$dist"/*
# The wheel must carry the patches and templates that plugin.py reads at import time
"$PYTHON" - "$dist" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
names = set(zipfile.ZipFile(wheel).namelist())
expected = {
    "tutor_riseup_stripe/plugin.py",
    "tutor_riseup_stripe/py.typed",
    "tutor_riseup_stripe/templates/riseup_stripe/tasks/lms/init",
    "tutor_riseup_stripe/patches/openedx-dockerfile-post-python-requirements",
    "tutor_riseup_stripe/patches/openedx-lms-common-settings",
    "tutor_riseup_stripe/patches/openedx-cms-common-settings",
    "tutor_riseup_stripe/patches/mfe-lms-production-settings",
    "tutor_riseup_stripe/patches/mfe-lms-development-settings",
    "tutor_riseup_stripe/patches/mfe-env-config-runtime-definitions-catalog",
    "tutor_riseup_stripe/templates/riseup-stripe-mfe/catalog.jsx",
    "tutor_riseup_stripe/templates/riseup-stripe-mfe/slots.json",
}
missing = expected - names
assert not missing, f"missing from {wheel}: {sorted(missing)}"
entry_points = [n for n in names if n.endswith("entry_points.txt")]
text = zipfile.ZipFile(wheel).read(entry_points[0]).decode()
assert "[tutor.plugin.v1]" in text and "riseup_stripe = tutor_riseup_stripe.plugin" in text, text
print(f"{wheel.rsplit('/', 1)[-1]}: contents and entry point OK")
PY
echo "All checks passed."
