#!/usr/bin/env bash
# Create a virtualenv with the plugin, its test tools, the emulator and the Tutor plugin.
# Usage: scripts/venv.sh DIR   (PYTHON_VERSION=3.12|3.11 and DJANGO_SPEC="Django>=4.2,<5" choose the corner)
set -euo pipefail
dir=${1:-.venv}
want=${PYTHON_VERSION:-3.12}
if command -v pyenv >/dev/null 2>&1; then
  found=$(pyenv versions --bare 2>/dev/null | grep -E "^${want}(\.|$)" | tail -n1 || true)
  [ -n "$found" ] && export PYENV_VERSION=$found
fi
python=$(command -v "python$want" || command -v python3)
echo "Creating $dir with $("$python" --version)"
"$python" -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --upgrade pip
"$dir/bin/python" -m pip install --quiet -e ".[test]" "${DJANGO_SPEC:-Django>=5.2,<6.0}" \
  -e ./tutor_plugin "tutor>=22,<23" "tutor-mfe>=22,<23" ruff mypy build twine pytest-benchmark "pytest-cov>=6" "coverage>=7.10"
"$dir/bin/python" -c "import django, sys; print('Python', sys.version.split()[0], 'Django', django.get_version())"
