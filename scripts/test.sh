#!/usr/bin/env bash
# The whole suite on SQLite, then on MariaDB (127.0.0.1:3306, root; RISEUP_MYSQL_* to change).
set -euo pipefail
venv=${1:-.venv}
py="$venv/bin/python"
status=0
echo "== SQLite"
RISEUP_TEST_DB=sqlite "$py" -m pytest tests --cov --cov-config=setup.cfg --cov-report=term:skip-covered || status=$?
echo "== Frontend"
frontend/test.sh || status=$?
echo "== Tutor plugin (real Tutor CLI)"
"$py" -m pytest tutor_plugin/tests || status=$?
echo "== Lint"
"$py" -m ruff check riseup_stripe_plugin sandbox tests benchmarks || status=$?
PYTHON="$PWD/$py" tutor_plugin/lint.sh || status=$?
echo "== MariaDB"
if ! "$py" - <<'PY'
import os, sys, MySQLdb
try:
    MySQLdb.connect(host=os.environ.get("RISEUP_MYSQL_HOST", "127.0.0.1"),
                    port=int(os.environ.get("RISEUP_MYSQL_PORT", "3306")),
                    user=os.environ.get("RISEUP_MYSQL_USER", "root"),
                    passwd=os.environ.get("RISEUP_MYSQL_PASSWORD", "")).close()
except Exception as exc:
    sys.exit(f"MariaDB is not reachable ({exc}); start it, or run 'make test-sqlite'.")
PY
then
  exit 1
fi
RISEUP_TEST_DB=mariadb "$py" -m pytest tests || status=$?
exit $status
