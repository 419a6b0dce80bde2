"""
Deliver one signed webhook body many times at once, from this process's threads (run as a separate process).

    python -m tests.reliability.deliver URL BODY_FILE SIGNATURE THREADS START_AT

Every thread waits until ``START_AT`` (epoch seconds), so that the processes fire together; prints one
HTTP status and the number of connection retries per line.
"""

import sys
import threading
import time
import urllib.error
import urllib.request


def post(url: str, body: bytes, signature: str) -> tuple[int, int]:
    """(HTTP status, connection retries): a connection the server's backlog refused is tried again, as
    Stripe would."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Stripe-Signature": signature})
    for retries in range(50):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, retries
        except urllib.error.HTTPError as exc:
            return exc.code, retries
        except OSError:  # refused or reset before an answer
            time.sleep(0.1)
    return 0, 50


def main(url, body_file, signature, threads, start_at):
    body = open(body_file, "rb").read()
    statuses = []
    lock = threading.Lock()

    def worker():
        time.sleep(max(0.0, float(start_at) - time.time()))
        result = post(url, body, signature)
        with lock:
            statuses.append(result)

    workers = [threading.Thread(target=worker) for _ in range(int(threads))]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    print("\n".join(f"{status} {retries}" for status, retries in statuses))


if __name__ == "__main__":
    main(*sys.argv[1:])
