"""
The demo: the sandbox LMS on SQLite, with the Stripe emulator, ready to buy a course.

    python -m sandbox.demo [--port 8000] [--keep]

With ``RISEUP_STRIPE_SECRET_KEY`` set to a real ``sk_test_`` key, the same demo
talks to Stripe's test mode instead of the emulator (forward webhooks with the
Stripe CLI and set ``RISEUP_STRIPE_WEBHOOK_SECRET`` to the secret it prints).
"""

import argparse
import os
import pathlib
import signal
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
    parser.add_argument("--keep", action="store_true", help="keep the demo database of the previous run")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings.demo")
    os.environ.setdefault("SANDBOX_SQLITE_PATH", str(ROOT / "sandbox.sqlite3"))
    db_path = pathlib.Path(os.environ["SANDBOX_SQLITE_PATH"])
    if not args.keep and db_path.exists():
        db_path.unlink()

    # SIGTERM (how tests and service managers stop the demo) unwinds like
    # Ctrl-C, so the ``finally`` below stops the emulator.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    real_stripe = os.environ.get("RISEUP_STRIPE_SECRET_KEY", "").startswith("sk_test_") and \
        "emulator" not in os.environ.get("RISEUP_STRIPE_SECRET_KEY", "")
    emulator = None
    if not real_stripe:
        from sandbox.stripe_emulator.runner import EmulatorProcess

        emulator = EmulatorProcess()
        emulator.start()
        os.environ["RISEUP_STRIPE_API_BASE"] = emulator.base_url

    # Links in the emails the demo prints (purchase, cancellation) point at this server.
    os.environ.setdefault("SANDBOX_LMS_ROOT_URL", f"http://127.0.0.1:{args.port}")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from sandbox import seed

    seed.seed_platform()
    seed.seed_sales()
    from riseup_stripe_plugin.stripe_gateway import StripeGateway

    seed.seed_stripe(StripeGateway().client)
    base = f"http://127.0.0.1:{args.port}"
    if emulator is not None:
        from riseup_stripe_plugin.stripe_gateway import WEBHOOK_EVENTS

        emulator.configure_webhook(f"{base}/riseup-stripe/webhook/", settings.RISEUP_STRIPE_WEBHOOK_SECRET,
                                   events=WEBHOOK_EVENTS)

    print("\nSandbox LMS with paid courses", flush=True)
    print(f"  Open:      {base}/", flush=True)
    print(f"  Catalog:   {base}/riseup-stripe/catalog/", flush=True)
    print(f"  Stripe:    {'Stripe test mode' if real_stripe else 'emulator at ' + emulator.base_url}")
    print("  Users (username / password):")
    for username, password, role in seed.USERS:
        print(f"    {username:<11} {password:<16} {role}")
    titles = {course_id: title for course_id, title, *_ in seed.COURSES}
    print("  The instructor teaches: " + ", ".join(titles[course_id] for course_id in seed.INSTRUCTOR_COURSES))
    print("  Test card: 4242 4242 4242 4242 (prefilled). Promotion codes, typed on the payment page:")
    for code, percent in seed.PROMOTION_CODES:
        print(f"    {code:<11} {seed.promotion_code_effect(percent)}")
    print("  Admin:     " + f"{base}/admin/  ·  My invoices: {base}/riseup-stripe/invoices/", flush=True)
    print(f"  Sales:     {base}/admin/riseup_stripe_plugin/invoice/dashboard/ (as admin; "
          f"{seed.HISTORY_DAYS} days of seeded sales)\n", flush=True)
    try:
        # DEBUG is off: --insecure keeps runserver serving the admin's static files.
        call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, use_threading=True,
                     insecure_serving=True)
    finally:
        if emulator is not None:
            emulator.stop(remove_tmpdir=True)


if __name__ == "__main__":
    sys.exit(main())
