"""Enable, disable, and the development mount."""

from __future__ import annotations

from pathlib import Path

from tutor_helpers import PLUGIN, Project, assert_clean_failure


def test_enable_then_disable_leaves_no_trace(tmp_path: Path) -> None:
    proj = Project(tmp_path)
    proj.save("LMS_HOST=lms.example.com", "ENABLE_HTTPS=true")
    before = proj.snapshot()

    proj.run("plugins", "enable", PLUGIN)
    proj.save(
        "RISEUP_STRIPE_ENABLED=true",
        "RISEUP_STRIPE_SECRET_KEY=sk_test_123",
        "RISEUP_STRIPE_WEBHOOK_SECRET=whsec_123",
    )
    mounted = tmp_path / "src" / "riseup-stripe-plugin"
    mounted.mkdir(parents=True)
    proj.run("mounts", "add", str(mounted))
    assert proj.snapshot() != before
    assert "riseup-stripe-webhook" in proj.run("local", "do", "--help").stdout

    proj.run("plugins", "disable", PLUGIN)
    proj.run("mounts", "remove", str(mounted))
    after = proj.snapshot()
    assert sorted(after) == sorted(before)
    changed = [path for path in before if before[path] != after[path]]
    assert changed == []
    assert proj.files_containing("riseup") == set()
    assert proj.files_containing("RISEUP") == set()

    for name in ("openedx-lms-common-settings", "mfe-lms-production-settings"):
        shown = proj.run("config", "patches", "show", name).stdout
        assert "riseup" not in shown.lower()
    assert "riseup-stripe-webhook" not in proj.run("local", "do", "--help").stdout
    # Plugin defaults are gone with the plugin
    assert_clean_failure(
        proj.run("config", "printvalue", "RISEUP_STRIPE_PIP_SPEC", check=False),
        "Missing configuration value",
    )


def test_mounted_checkout_replaces_the_pinned_install(
    copy: Project, tmp_path: Path
) -> None:
    checkout = tmp_path / "src" / "riseup-stripe-plugin"
    checkout.mkdir(parents=True)
    copy.run("mounts", "add", str(checkout))

    dockerfile = copy.read("build/openedx/Dockerfile")
    assert "riseup-stripe-plugin==0.1.0" not in dockerfile
    assert "FROM scratch AS mnt-riseup-stripe-plugin" in dockerfile
    # production and development stages both install the checkout in editable mode
    assert dockerfile.count('$PIP_COMMAND install -e "/mnt/riseup-stripe-plugin"') == 2

    volume = f"{checkout}:/mnt/riseup-stripe-plugin"
    assert volume in copy.read("local/docker-compose.yml")  # lms, cms
    assert volume in copy.read("local/docker-compose.jobs.yml")  # lms-job, cms-job

    copy.run("mounts", "remove", str(checkout))
    dockerfile = copy.read("build/openedx/Dockerfile")
    assert "$PIP_COMMAND install riseup-stripe-plugin==0.1.0" in dockerfile
    assert "mnt-riseup-stripe-plugin" not in dockerfile


def test_other_folder_names_are_not_mounted_as_the_plugin(
    copy: Project, tmp_path: Path
) -> None:
    checkout = tmp_path / "src" / "riseup-stripe-plugin-old"
    checkout.mkdir(parents=True)
    copy.run("mounts", "add", str(checkout))
    dockerfile = copy.read("build/openedx/Dockerfile")
    assert "mnt-riseup-stripe-plugin" not in dockerfile
    assert "$PIP_COMMAND install riseup-stripe-plugin==0.1.0" in dockerfile
