"""
The report of a run: targets checked, a text table, the JSON, and one PNG chart per comparison.

Nothing fails on a missed target: each target says ``holds``, ``does not hold`` or ``not measured``.
"""

from __future__ import annotations

import json
from pathlib import Path

TARGETS = {
    "catalog": "catalog median <= 1.5x the bare list, <= 6 queries (session and user aside), "
               "at every size, anonymous and signed in, SQLite and MariaDB",
    "storefront": "storefront API median <= 1.5x the bare list of the same courses, <= 6 queries (session and "
                  "user aside), at every size, anonymous and signed in, SQLite and MariaDB",
    "gate_queries": "gate step: 0 queries for a free course (once known), <= 1 for a paid one",
    "gate_ratio": "enroll() with the step <= 1.10x without",
    "buy_calls": "Buy request: 1 Stripe call",
    "purchase_calls": "Buy to enrolled with the invoice stored: <= 4 Stripe calls",
    "intake_rate": "webhook intake, request mode: >= 2x dj-stripe's events/s",
    "intake_queries": "webhook intake, request mode: <= 12 SQL queries per event",
}


def _verdict(values):
    """``holds`` when every value is True, ``does not hold`` when one is False, else ``not measured``."""
    values = list(values)
    if not values:
        return "not measured"
    return "holds" if all(values) else "does not hold"


def _gate_queries_hold(row) -> bool:
    """Free: none once known, one the first time (the database asked); paid: at most one either way."""
    known, cold = row["step_queries"], row.get("step_queries_cold", 0)
    return (known == 0 if row["course"].startswith("free") else known <= 1) and cold <= 1


def evaluate(results: dict) -> dict:
    catalogs = [r for r in results.get("catalog", {}).values() if "sizes" in r]
    catalog_rows = [row for r in catalogs for size in r["sizes"] for row in size["rows"]]
    storefront_rows = [row for r in catalogs for size in r["sizes"]
                       for row in size.get("storefront", {}).get("rows", [])]
    gates = [row for r in results.get("gate", {}).values() for row in r.get("rows", [])]
    calls = [row for r in results.get("stripe_calls", {}).values() for row in r.get("rows", [])]
    intake = results.get("intake", {}).get("mariadb", {})
    plugin, djstripe = intake.get("plugin", {}), intake.get("djstripe", {})
    verdicts = {
        "catalog": _verdict(row["ratio"] is not None and row["ratio"] <= 1.5
                            and row["plugin_queries"]["queries_excl_auth"] <= 6 for row in catalog_rows),
        "storefront": _verdict(row["ratio"] is not None and row["ratio"] <= 1.5
                               and row["plugin_queries"]["queries_excl_auth"] <= 6 for row in storefront_rows),
        "gate_queries": _verdict(_gate_queries_hold(row) for row in gates),
        "gate_ratio": _verdict(row["ratio"] is not None and row["ratio"] <= 1.10 for row in gates),
        "buy_calls": _verdict(row["buy_calls"] <= 1 for row in calls),
        "purchase_calls": _verdict(row["buy_to_enrolled_calls"] <= 4 for row in calls),
        "intake_rate": _verdict([intake["ratio_events_per_second"] >= 2]
                                if intake.get("ratio_events_per_second") is not None else []),
        "intake_queries": _verdict([plugin["queries_per_event_median"] <= 12]
                                   if plugin.get("queries_per_event_median") is not None else []),
    }
    if djstripe and "events_per_second" not in djstripe:
        verdicts["intake_rate"] = "not measured (" + (djstripe.get("skipped") or djstripe.get("unavailable")
                                                      or "no dj-stripe result") + ")"
    return {name: {"target": TARGETS[name], "verdict": verdicts[name]} for name in TARGETS}


# -- text ---------------------------------------------------------------------------------------------------------

def table(headers, rows) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _error_lines(name, by_db):
    return [f"{name} ({db}): FAILED: {r['error']}" for db, r in by_db.items() if "error" in r]


def catalog_rows(results):
    rows = []
    for db, result in results.get("catalog", {}).items():
        for size in result.get("sizes", []):
            for row in size["rows"]:
                rows.append([db, size["courses"], row["audience"], row["plugin"]["median_ms"],
                             row["bare"]["median_ms"], row["ratio"], row["plugin_queries"]["queries"],
                             row["plugin_queries"]["queries_excl_auth"], row["bare_queries"]["queries"]])
    return rows


def storefront_lines(results):
    lines, rows = [], []
    for db, result in results.get("catalog", {}).items():
        for size in result.get("sizes", []):
            storefront = size.get("storefront", {})
            if "skipped" in storefront:
                lines.append(f"storefront ({db}, {size['courses']} courses): skipped: {storefront['skipped']}")
            for row in storefront.get("rows", []):
                rows.append([db, size["courses"], row["audience"], row["plugin"]["median_ms"],
                             row["bare"]["median_ms"], row["ratio"], row["plugin_queries"]["queries"],
                             row["plugin_queries"]["queries_excl_auth"]])
    if rows:
        lines.insert(0, table(["db", "courses", "audience", "storefront ms", "bare ms", "ratio", "queries",
                               "excl. session/user/transaction"], rows))
    return lines


def text_report(report: dict) -> str:
    results, machine = report["results"], report["machine"]
    out = [f"riseup-stripe-plugin benchmark, size {report['size']}, {report['finished']}",
           f"machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gb']} GB, "
           f"Python {machine['python']}, Django {machine['django']}, MariaDB {machine['mariadb']}, "
           f"load average at start {machine['loadavg_start']}", ""]
    for name in ("catalog", "gate", "stripe_calls", "intake", "dashboard"):
        out += _error_lines(name, results.get(name, {}))

    out += ["", "1. Catalog API (GET /riseup-stripe/api/v1/catalog/?price=paid&min_price=10) vs bare DRF ListAPIView",
            table(["db", "courses", "audience", "catalog ms", "bare ms", "ratio", "queries",
                   "excl. session/user/transaction", "bare queries"], catalog_rows(results))]
    out += storefront_lines(results)

    rows = [[db, row["course"], row["situation"], row["with_step"]["median_ms"], row["without_step"]["median_ms"],
             row["ratio"], row["queries_with_step"], row["queries_without_step"], row["step_queries"],
             row.get("step_queries_cold", "")]
            for db, result in results.get("gate", {}).items() for row in result.get("rows", [])]
    out += ["", "2. Enrollment gate: sandbox enroll() with PaidCourseEnrollmentGate in the pipeline and without",
            table(["db", "course", "situation", "with ms", "without ms", "ratio", "queries with", "queries without",
                   "step queries", "step queries, new process"], rows)]

    rows = [[row["case"], row["buy_calls"], row["return_page_calls"], row["buy_to_enrolled_calls"],
             ", ".join(f"{k} x{v}" for k, v in row["buy_to_enrolled_by_endpoint"].items())]
            for result in results.get("stripe_calls", {}).values() for row in result.get("rows", [])]
    out += ["", "3. Stripe calls per purchase (counted at the emulator; Buy to enrolled includes the return page)",
            table(["case", "Buy", "return page", "Buy to enrolled", "calls"], rows)]

    intake = results.get("intake", {}).get("mariadb", {})
    if intake and "error" not in intake:
        rows, notes = [], []
        sides = [("plugin, request mode", intake["plugin"]), ("dj-stripe", intake["djstripe"])]
        if intake.get("plugin_celery"):
            sides.append(("plugin, Celery mode (ack)", intake["plugin_celery"]))
        for label, side in sides:
            if "events_per_second" in side:
                rows.append([label, side["ok"], side["sent"], side["events_per_second"], side["ack_median_ms"],
                             side["ack_p95_ms"], side["queries_per_event_median"], side["stripe_calls_per_event"],
                             side["peak_rss_mb"]])
            else:
                notes.append(f"{label}: " + (side.get("skipped") or "not measured: " + str(side.get("unavailable"))))
        out += ["", f"4-5. Webhook intake: checkout.session.completed through gunicorn ({intake['workers']} sync "
                    f"workers, MariaDB), {intake['concurrency']} concurrent senders, at most "
                    f"{intake['max_events']} events or {intake['max_seconds']} s"
                    + (f", in {intake['rounds']} rounds, the plugin and dj-stripe in turns"
                       if intake.get("rounds", 1) > 1 else ""),
                table(["server", "ok", "sent", "events/s", "ack median ms", "ack p95 ms", "queries/event",
                       "Stripe calls/event", "peak worker RSS MB"], rows),
                *notes,
                f"ratio events/s plugin / dj-stripe: {intake.get('ratio_events_per_second')} (both process each "
                f"event in its request)"]
        celery_mode = intake.get("plugin_celery") or {}
        if "worker_events_per_second" in celery_mode:
            out.append(f"Celery mode: gunicorn answers once the event is stored and queued (queries/event: the "
                       f"acknowledgement's); {celery_mode['celery_workers']} solo Celery workers processed "
                       f"{celery_mode['worker_events_processed']} events at {celery_mode['worker_events_per_second']} "
                       f"events/s (first received to last processed, {celery_mode['worker_seconds']} s"
                       f"{'' if celery_mode.get('drained') else ', not all processed in time'}); Stripe calls/event "
                       f"are the workers'")
        if "check" in intake["plugin"]:
            check = intake["plugin"]["check"]
            out.append(f"plugin check: {check['orders_fulfilled']} measured orders fulfilled, "
                       f"{check['events_processed']}/{check['events_stored']} events processed")
        if "check" in intake["djstripe"]:
            check = intake["djstripe"]["check"]
            out.append(f"dj-stripe check: dj-stripe {check['djstripe_version']} (stripe-python "
                       f"{check['stripe_python_version']}), {check['valid_and_processed']}/{check['triggers']} "
                       f"triggers valid and processed, {check['sessions']} sessions synced")

    rows = [[db, result["invoices"], row["view"], row["median_ms"], row.get("p75_ms"), row["queries"]]
            for db, result in results.get("dashboard", {}).items() if "rows" in result for row in result["rows"]]
    out += ["", "6. Sales dashboard (admin page, superuser, Django test client)",
            table(["db", "invoices", "view", "median ms", "p75 ms", "queries"], rows)]

    out += ["", "Targets"]
    out += [f"  [{v['verdict']}] {v['target']}" for v in report["targets"].values()]
    out.append("")
    return "\n".join(out)


# -- charts -------------------------------------------------------------------------------------------------------

def _bars(ax, groups, series, values, ylabel, log=False):
    width = 0.8 / max(1, len(series))
    for i, name in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        heights = [values.get((group, name)) or 0 for group in groups]
        bars = ax.bar(xs, heights, width, label=name)
        for bar, height in zip(bars, heights, strict=True):
            if height:
                ax.annotate(f"{height:.3g}", (bar.get_x() + bar.get_width() / 2, height), ha="center",
                            va="bottom", fontsize=7)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, fontsize=8, rotation=0)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=8)


def charts(report: dict, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, written = report["results"], []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        written.append(name)

    catalogs = {db: r for db, r in results.get("catalog", {}).items() if "sizes" in r}
    if catalogs:
        fig, axes = plt.subplots(1, len(catalogs), figsize=(6.5 * len(catalogs), 4.2), squeeze=False)
        for ax, (db, result) in zip(axes[0], catalogs.items(), strict=True):
            groups, values = [], {}
            for size in result["sizes"]:
                for row in size["rows"]:
                    group = f"{size['courses']}\n{row['audience']}"
                    groups.append(group)
                    values[(group, "catalog API")] = row["plugin"]["median_ms"]
                    values[(group, "bare ListAPIView")] = row["bare"]["median_ms"]
            _bars(ax, groups, ["catalog API", "bare ListAPIView"], values, "median ms (log)", log=True)
            ax.set_title(f"Catalog API vs bare list, {db}")
        save(fig, "catalog.png")

    gates = {db: r for db, r in results.get("gate", {}).items() if "rows" in r}
    if gates:
        fig, axes = plt.subplots(1, len(gates), figsize=(6.5 * len(gates), 4.2), squeeze=False)
        for ax, (db, result) in zip(axes[0], gates.items(), strict=True):
            groups, values = [], {}
            for row in result["rows"]:
                group = f"{row['course'].replace(', ', chr(10))}\n{row['situation']}"
                groups.append(group)
                values[(group, "with step")] = row["with_step"]["median_ms"]
                values[(group, "without step")] = row["without_step"]["median_ms"]
            _bars(ax, groups, ["with step", "without step"], values, "enroll() median ms")
            ax.set_title(f"Enrollment gate, {db}")
        save(fig, "gate.png")

    calls = [row for r in results.get("stripe_calls", {}).values() for row in r.get("rows", [])]
    if calls:
        fig, ax = plt.subplots(figsize=(7, 4))
        groups = [row["case"].replace(", ", "\n") for row in calls]
        values = {}
        for group, row in zip(groups, calls, strict=True):
            values[(group, "Buy request")] = row["buy_calls"]
            values[(group, "Buy to enrolled + invoice")] = row["buy_to_enrolled_calls"]
        _bars(ax, groups, ["Buy request", "Buy to enrolled + invoice"], values, "Stripe API calls")
        ax.axhline(1, color="tab:blue", linestyle=":", linewidth=1)
        ax.axhline(4, color="tab:orange", linestyle=":", linewidth=1)
        ax.set_title("Stripe calls per purchase (dotted: targets 1 and 4)")
        save(fig, "stripe_calls.png")

    intake = results.get("intake", {}).get("mariadb", {})
    sides = {label: intake.get(key) or {} for label, key in (("plugin\n(request)", "plugin"), ("dj-stripe", "djstripe"),
                                                              ("plugin\n(Celery ack)", "plugin_celery"))}
    sides = {label: side for label, side in sides.items() if "events_per_second" in side}
    if sides:
        fig, axes = plt.subplots(1, 3, figsize=(12, 4))
        metrics = [("events_per_second", "events/s"), ("ack_median_ms", "ack median ms"),
                   ("queries_per_event_median", "SQL queries / event")]
        for ax, (key, label) in zip(axes, metrics, strict=True):
            names = list(sides)
            heights = [sides[name][key] or 0 for name in names]
            bars = ax.bar(names, heights, color=["tab:blue", "tab:gray", "tab:cyan"][:len(names)])
            for bar, height in zip(bars, heights, strict=True):
                ax.annotate(f"{height:.3g}", (bar.get_x() + bar.get_width() / 2, height), ha="center",
                            va="bottom", fontsize=8)
            ax.set_title(label)
        fig.suptitle("Webhook intake, checkout.session.completed, gunicorn 2 workers, MariaDB")
        save(fig, "intake.png")

        fig, ax = plt.subplots(figsize=(5, 4))
        names = list(sides)
        heights = [sides[name]["peak_rss_mb"] for name in names]
        bars = ax.bar(names, heights, color=["tab:blue", "tab:gray", "tab:cyan"][:len(names)])
        for bar, height in zip(bars, heights, strict=True):
            ax.annotate(f"{height:.1f}", (bar.get_x() + bar.get_width() / 2, height), ha="center", va="bottom")
        ax.set_ylabel("MB")
        ax.set_title("Peak RSS of a gunicorn worker (VmHWM)")
        save(fig, "rss.png")
    return written


def write(report: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    report["targets"] = evaluate(report["results"])
    try:
        report["charts"] = charts(report, folder)
    except Exception as exc:  # noqa: BLE001 - the table and the JSON still get written
        report["charts"] = []
        report["chart_error"] = f"{type(exc).__name__}: {exc}"
    (folder / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (folder / "report.txt").write_text(text_report(report))
