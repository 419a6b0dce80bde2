"""
The load generator of the webhook intake: POST pre-generated Stripe events to one URL, signed, from its own process.

    python -m benchmarks.loadgen --url http://127.0.0.1:PORT/path/ --events FILE --secret whsec_...
        [--concurrency 2] [--max-events 300] [--max-seconds 60] [--skip 0] --out FILE

``FILE`` is a JSON list of events. Each body is signed as Stripe signs (``t=...,v1=HMAC-SHA256``)
just before the clock starts. Bounded in count (``--max-events``) and time (``--max-seconds``):
no request starts after the deadline, and each has a 30 s timeout. Only 127.0.0.1 is accepted.
Standard library only, so it runs with any Python.
"""

import argparse
import hashlib
import hmac
import http.client
import json
import statistics
import threading
import time
import urllib.parse


def signature(payload: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post(url, body, header):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        started = time.perf_counter()
        connection.request("POST", parts.path, body=body, headers={
            "Content-Type": "application/json", "Stripe-Signature": header, "User-Agent": "Stripe/1.0 (bench)",
        })
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        return response.status, elapsed, response.getheader("X-Bench-Queries")
    finally:
        connection.close()


def run(url, events, secret, concurrency, max_seconds):
    timestamp = int(time.time())
    bodies = [json.dumps(event).encode() for event in events]
    work = [(body, signature(body, secret, timestamp)) for body in bodies]
    results, lock = [], threading.Lock()
    next_index = [0]
    deadline = time.monotonic() + max_seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if next_index[0] >= len(work):
                    return
                body, header = work[next_index[0]]
                next_index[0] += 1
            try:
                status, elapsed, queries = post(url, body, header)
            except OSError as exc:
                status, elapsed, queries = f"error: {exc}", None, None
            with lock:
                results.append((status, elapsed, queries))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 35)
    wall = time.perf_counter() - started
    return results, wall


def describe(results, wall, concurrency):
    ok = [r for r in results if r[0] == 200]
    latencies = sorted(r[1] for r in ok)
    queries = [int(r[2]) for r in ok if r[2] is not None]
    statuses = {}
    for status, _elapsed, _queries in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1

    def pct(values, q):
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 2) if values else None

    return {
        "sent": len(results), "ok": len(ok), "statuses": statuses, "concurrency": concurrency,
        "wall_seconds": round(wall, 3),
        "events_per_second": round(len(ok) / wall, 2) if wall else None,
        "ack_median_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "ack_p95_ms": pct(latencies, 0.95),
        "ack_max_ms": pct(latencies, 1.0),
        "queries_per_event_median": statistics.median(queries) if queries else None,
        "queries_per_event_mean": round(statistics.fmean(queries), 2) if queries else None,
        # The raw values, so that rounds of one comparison can be merged.
        "latencies_s": latencies, "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--max-events", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--skip", type=int, default=0, help="events of the file to leave out (used to warm up)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the load generator only sends to 127.0.0.1")
    with open(args.events) as handle:
        events = json.load(handle)[args.skip:args.skip + args.max_events]
    results, wall = run(args.url, events, args.secret, args.concurrency, args.max_seconds)
    with open(args.out, "w") as handle:
        json.dump(describe(results, wall, args.concurrency), handle, indent=2)


if __name__ == "__main__":
    main()
