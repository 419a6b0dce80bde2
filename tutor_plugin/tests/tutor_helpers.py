"""
Helpers that run the real ``tutor`` command line in throw-away project roots.

Nothing here needs Docker: ``tutor config save`` renders the environment under
``$TUTOR_ROOT/env``, and the ``do`` jobs are run through a stand-in ``docker``
executable that records the job and runs its script in a sandbox.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest

PLUGIN = "riseup_stripe"

# Distinctive parts of the test secrets: they survive Python escaping, so they can be
# searched for in the rendered files.
SECRET_MARKER = "sk_test_51SecretKeyMarker"
WEBHOOK_MARKER = "whsec_WebhookSecretMarker"
PUBLISHABLE_MARKER = "pk_test_51PublishableMarker"
# Values with quotes and backslashes: they must not break the settings files.
SECRET_KEY = SECRET_MARKER + "'q\"uote\\"
WEBHOOK_SECRET = WEBHOOK_MARKER + '"x'
INVOICE_FOOTER = 'Merci ! « TVA » l\'été "incluse" \\ {braces}'

LMS_SETTINGS = (
    "apps/openedx/settings/lms/production.py",
    "apps/openedx/settings/lms/development.py",
)
CMS_SETTINGS = (
    "apps/openedx/settings/cms/production.py",
    "apps/openedx/settings/cms/development.py",
)


def find_tutor() -> str:
    """The tutor executable installed next to the running Python, else on PATH."""
    here = shutil.which("tutor", path=os.path.dirname(sys.executable))
    found = here or shutil.which("tutor")
    if not found:
        pytest.fail("tutor is not installed: pip install 'tutor==22.*' tutor-mfe")
    return found


class Project:
    """A Tutor project root in a temporary folder."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "root"
        self.home = base / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.fakebin = base / "fakebin"
        self.sandbox = base / "sandbox"
        self.tutor = find_tutor()

    @property
    def env_dir(self) -> Path:
        return self.root / "env"

    def environ(self, extra: t.Optional[dict[str, str]] = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "TUTOR_ROOT": str(self.root),
                "TUTOR_PLUGINS_ROOT": str(self.base / "plugins"),
                "HOME": str(self.home),
                "XDG_CONFIG_HOME": str(self.home / ".config"),
                "XDG_DATA_HOME": str(self.home / ".local" / "share"),
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        env.pop("TUTOR_IGNORE_ENTRYPOINT_PLUGINS", None)
        if self.fakebin.exists():
            env["PATH"] = f"{self.fakebin}{os.pathsep}{env.get('PATH', '')}"
            env["FAKE_DOCKER_LOG"] = str(self.base / "docker.log")
            env["FAKE_DOCKER_SANDBOX"] = str(self.sandbox)
            env["FAKE_MANAGE_LOG"] = str(self.base / "manage.log")
        env.update(extra or {})
        return env

    def run(
        self, *args: str, check: bool = True, env: t.Optional[dict[str, str]] = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.tutor, *args],
            env=self.environ(env),
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"tutor {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def save(
        self, *settings: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        args = ["config", "save"]
        for setting in settings:
            args += ["--set", setting]
        return self.run(*args, check=check)

    def printvalue(self, key: str) -> str:
        return self.run("config", "printvalue", key).stdout.strip()

    def read(self, relpath: str) -> str:
        return (self.env_dir / relpath).read_text(encoding="utf-8")

    def copy(self, base: Path) -> "Project":
        clone = Project(base)
        shutil.copytree(self.root, clone.root)
        return clone

    def snapshot(self) -> dict[str, bytes]:
        return {
            str(path.relative_to(self.env_dir)): path.read_bytes()
            for path in sorted(self.env_dir.rglob("*"))
            if path.is_file()
        }

    def files_containing(self, needle: str) -> set[str]:
        return {
            relpath
            for relpath, content in self.snapshot().items()
            if needle.encode() in content
        }

    # Stand-in docker ---------------------------------------------------------------

    def install_fake_docker(self) -> None:
        """
        Put a ``docker`` executable first on PATH. ``docker compose ls`` answers that
        nothing runs; ``docker compose run ... <service>-job sh -e -c SCRIPT`` is
        logged, and SCRIPT is run by sh in a sandbox whose ``./manage.py`` and
        ``python`` are stand-ins driven by environment variables.
        """
        self.fakebin.mkdir(exist_ok=True)
        self.sandbox.mkdir(exist_ok=True)
        sandbox_bin = self.sandbox / "bin"
        sandbox_bin.mkdir(exist_ok=True)
        _write_executable(
            self.fakebin / "docker",
            f"""\
            #!{sys.executable}
            import json, os, subprocess, sys
            args = sys.argv[1:]
            if "ls" in args and "--format" in args:
                print("[]")
                sys.exit(0)
            with open(os.environ["FAKE_DOCKER_LOG"], "a", encoding="utf-8") as log:
                log.write(json.dumps(args) + "\\n")
            if "sh" in args:
                script = args[args.index("sh") + 3]
                sandbox = os.environ["FAKE_DOCKER_SANDBOX"]
                env = dict(os.environ)
                env["PATH"] = os.path.join(sandbox, "bin") + os.pathsep + env["PATH"]
                command = ["sh", "-e", "-c", script]
                sys.exit(subprocess.call(command, cwd=sandbox, env=env))
            """,
        )
        _write_executable(
            self.sandbox / "manage.py",
            f"""\
            #!{sys.executable}
            import json, os, sys
            with open(os.environ["FAKE_MANAGE_LOG"], "a", encoding="utf-8") as log:
                log.write(json.dumps(sys.argv[1:]) + "\\n")
            if "riseup_stripe_register_webhook" in sys.argv:
                if os.environ.get("FAKE_STRIPE") == "offline":
                    message = "Error: cannot reach Stripe (api.stripe.com): no network"
                    print(message, file=sys.stderr)
                    sys.exit(1)
                print("Endpoint we_123 updated. Signing secret: whsec_fromstripe")
            if "riseup_stripe_reconcile" in sys.argv:
                if os.environ.get("FAKE_STRIPE") == "offline":
                    print("CommandError: Stripe could not be asked", file=sys.stderr)
                    sys.exit(1)
                print("Nothing to change: the local books agree with Stripe.")
            """,
        )
        # `python -c "import riseup_stripe_plugin"` answers from FAKE_PLUGIN_INSTALLED
        _write_executable(
            sandbox_bin / "python",
            """\
            #!/bin/sh
            [ "$FAKE_PLUGIN_INSTALLED" = "1" ]
            """,
        )

    def docker_calls(self) -> list[list[str]]:
        return _read_json_lines(self.base / "docker.log")

    def manage_calls(self) -> list[list[str]]:
        return _read_json_lines(self.base / "manage.log")

    def reset_logs(self) -> None:
        for name in ("docker.log", "manage.log"):
            (self.base / name).unlink(missing_ok=True)


def _write_executable(path: Path, content: str) -> None:
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _read_json_lines(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def settings_values(source: str) -> dict[str, t.Any]:
    """
    Values of the top-level ``RISEUP_STRIPE_* = <literal>`` assignments of a settings
    file. Fails if one is assigned twice or is not a plain literal.
    """
    values: dict[str, t.Any] = {}
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.startswith("RISEUP_STRIPE_")
        ):
            name = node.targets[0].id
            assert name not in values, f"{name} is assigned twice"
            values[name] = ast.literal_eval(node.value)
    return values


def order_history_url(source: str) -> t.Optional[str]:
    """
    Value assigned to MFE_CONFIG["ORDER_HISTORY_URL"], checking that MFE_CONFIG is not
    redefined afterwards (which would drop it).
    """
    url: t.Optional[str] = None
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "MFE_CONFIG":
            url = None
        elif (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == "MFE_CONFIG"
            and ast.literal_eval(target.slice) == "ORDER_HISTORY_URL"
        ):
            url = ast.literal_eval(node.value)
    return url


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def assert_clean_failure(
    result: subprocess.CompletedProcess[str], *messages: str
) -> None:
    """The command failed with a message, not with a Python traceback."""
    text = output(result)
    assert result.returncode != 0, text
    assert "Traceback" not in text, text
    for message in messages:
        assert message in text, text
