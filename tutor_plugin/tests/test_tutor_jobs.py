"""
The init task and the webhook job, run through a stand-in ``docker`` (no Docker here):
what Tutor would run in which container, and what the operator reads.
"""

from __future__ import annotations

import pytest
from tutor_helpers import Project, assert_clean_failure, output

from tutor_riseup_stripe.plugin import WEBHOOK_EVENTS

EVENTS = WEBHOOK_EVENTS


@pytest.fixture
def jobs(copy: Project) -> Project:
    copy.install_fake_docker()
    return copy


def job_runs(proj: Project) -> list[tuple[str, str]]:
    """(compose service, script) of every `docker compose run` call."""
    runs = []
    for args in proj.docker_calls():
        if "run" in args and "sh" in args:
            index = args.index("sh")
            assert args[index : index + 3] == ["sh", "-e", "-c"]
            runs.append((args[index - 1], args[index + 3]))
    return runs


def test_init_task_migrates_the_plugin_in_the_lms(jobs: Project) -> None:
    result = jobs.run(
        "local",
        "do",
        "init",
        "--limit=riseup_stripe",
        env={"FAKE_PLUGIN_INSTALLED": "1"},
    )
    runs = job_runs(jobs)
    assert [service for service, _ in runs] == ["lms-job"]
    assert "./manage.py lms migrate riseup_stripe_plugin" in runs[0][1]
    assert jobs.manage_calls() == [["lms", "migrate", "riseup_stripe_plugin"]]
    assert "Traceback" not in output(result)


def test_init_task_explains_a_missing_image_rebuild(jobs: Project) -> None:
    result = jobs.run(
        "local",
        "do",
        "init",
        "--limit=riseup_stripe",
        check=False,
        env={"FAKE_PLUGIN_INSTALLED": "0"},
    )
    assert_clean_failure(
        result, "not installed in this openedx image", "tutor images build openedx"
    )
    assert jobs.manage_calls() == []


def test_webhook_job_registers_the_lms_endpoint(jobs: Project) -> None:
    result = jobs.run("local", "do", "riseup-stripe-webhook", env={"FAKE_STRIPE": "ok"})
    runs = job_runs(jobs)
    assert [service for service, _ in runs] == ["lms-job"]
    assert jobs.manage_calls() == [
        [
            "lms",
            "riseup_stripe_register_webhook",
            "--url",
            "https://lms.example.com/riseup-stripe/webhook/",
        ]
    ]
    text = output(result)
    assert "whsec_fromstripe" in text
    assert "tutor config save --set RISEUP_STRIPE_WEBHOOK_SECRET=whsec_" in text
    assert "tutor local restart lms lms-worker" in text


def test_webhook_job_offline_fails_with_a_message(jobs: Project) -> None:
    result = jobs.run(
        "local",
        "do",
        "riseup-stripe-webhook",
        check=False,
        env={"FAKE_STRIPE": "offline"},
    )
    assert_clean_failure(
        result,
        "cannot reach Stripe",
        "Stripe webhook registration failed",
        "outbound HTTPS access to api.stripe.com",
    )
    assert "RISEUP_STRIPE_WEBHOOK_SECRET=whsec_" not in output(result)


def test_webhook_job_in_dev_uses_the_dev_lms(jobs: Project) -> None:
    result = jobs.run("dev", "do", "riseup-stripe-webhook", env={"FAKE_STRIPE": "ok"})
    assert (
        jobs.manage_calls()[0][-1]
        == "http://lms.example.com:8000/riseup-stripe/webhook/"
    )
    text = output(result)
    assert "is not HTTPS" in text
    assert "tutor dev restart lms lms-worker" in text


def test_webhook_job_custom_url_is_passed_verbatim(jobs: Project) -> None:
    url = "https://tunnel.example.net/riseup-stripe/webhook/?a=1&b=2"
    jobs.run(
        "local", "do", "riseup-stripe-webhook", "--url", url, env={"FAKE_STRIPE": "ok"}
    )
    assert jobs.manage_calls()[0][-1] == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://lms.example.com/riseup-stripe/webhook/",
        "https://lms.example.com/a b",
        "https://lms.example.com/$(reboot)",
        "https://lms.example.com/{{ LMS_HOST }}",
    ],
)
def test_webhook_job_refuses_bad_urls_before_running(jobs: Project, url: str) -> None:
    result = jobs.run("local", "do", "riseup-stripe-webhook", "--url", url, check=False)
    assert_clean_failure(result, "Invalid webhook URL")
    assert job_runs(jobs) == []


@pytest.mark.parametrize("context", ["local", "dev", "k8s"])
def test_webhook_job_is_a_do_command_everywhere(project: Project, context: str) -> None:
    assert "riseup-stripe-webhook" in project.run(context, "do", "--help").stdout
    help_text = project.run(context, "do", "riseup-stripe-webhook", "--help").stdout
    assert "--url" in help_text
    listed = [line.strip() for line in help_text.splitlines()]
    for event in EVENTS:
        assert event in listed


def test_reconcile_job_is_a_dry_run_unless_told_to_commit(jobs: Project) -> None:
    result = jobs.run(
        "local", "do", "riseup-stripe-reconcile", env={"FAKE_STRIPE": "ok"}
    )
    assert [service for service, _ in job_runs(jobs)] == ["lms-job"]
    assert jobs.manage_calls() == [["lms", "riseup_stripe_reconcile"]]
    assert "Dry run" in output(result) and "Nothing to change" in output(result)
    jobs.reset_logs()
    jobs.run(
        "local",
        "do",
        "riseup-stripe-reconcile",
        "--commit",
        "--since",
        "7d",
        env={"FAKE_STRIPE": "ok"},
    )
    assert jobs.manage_calls() == [
        ["lms", "riseup_stripe_reconcile", "--commit", "--since", "7d"]
    ]


def test_reconcile_job_failure_says_it_is_safe_to_run_again(jobs: Project) -> None:
    result = jobs.run(
        "local",
        "do",
        "riseup-stripe-reconcile",
        "--commit",
        check=False,
        env={"FAKE_STRIPE": "offline"},
    )
    assert_clean_failure(result, "Stripe could not be asked", "safe to run again")


@pytest.mark.parametrize("since", ["yesterday", "4d; reboot", "$(reboot)", "4 d"])
def test_reconcile_job_refuses_a_bad_since_before_running(
    jobs: Project, since: str
) -> None:
    result = jobs.run(
        "local", "do", "riseup-stripe-reconcile", "--since", since, check=False
    )
    assert_clean_failure(result, "Invalid --since")
    assert job_runs(jobs) == []


@pytest.mark.parametrize("context", ["local", "k8s"])
def test_reconcile_job_is_a_do_command(project: Project, context: str) -> None:
    help_text = project.run(context, "do", "riseup-stripe-reconcile", "--help").stdout
    assert "--commit" in help_text and "--since" in help_text and "cron" in help_text
