"""
dj-stripe's own virtualenv, ``benchmarks/.venv-djstripe``: made once, reused while its requirements stay the same.

    python -m benchmarks.djstripe_env      (prints the Python of that virtualenv)

dj-stripe 2.x pins an older stripe-python than the plugin, so it cannot share ``.venv``.
"""

import hashlib
import subprocess
import sys
from pathlib import Path

from .common import REPO_ROOT

VENV = REPO_ROOT / "benchmarks" / ".venv-djstripe"
REQUIREMENTS = ["dj-stripe[mysql]>=2.0,<3", "Django>=5.2,<6", "gunicorn>=22"]
INSTALL_TIMEOUT = 600


class DjStripeUnavailable(RuntimeError):
    """dj-stripe could not be installed; the message says why."""


def _python_of_base() -> str:
    """A Python 3.11+ to make the virtualenv with (the one running the benchmark is)."""
    return sys.executable


def ensure_venv(log=None) -> Path:
    """The virtualenv's python, creating or updating the virtualenv when needed."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    wanted = hashlib.sha256("\n".join(REQUIREMENTS).encode()).hexdigest()
    if python.exists() and marker.exists() and marker.read_text().strip() == wanted:
        return python
    output = log or subprocess.DEVNULL
    try:
        if not python.exists():
            subprocess.run([_python_of_base(), "-m", "venv", "--clear", str(VENV)], check=True,
                           stdout=output, stderr=subprocess.STDOUT, timeout=120)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True,
                       stdout=output, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, cwd=REPO_ROOT)
    except subprocess.CalledProcessError as exc:
        raise DjStripeUnavailable(f"installing {' '.join(REQUIREMENTS)} into {VENV.name} failed "
                                  f"(exit {exc.returncode}; see the log)") from exc
    except subprocess.TimeoutExpired as exc:
        raise DjStripeUnavailable(f"installing dj-stripe took more than {exc.timeout:.0f} s") from exc
    marker.write_text(wanted + "\n")
    return python


if __name__ == "__main__":
    print(ensure_venv(log=sys.stderr))
