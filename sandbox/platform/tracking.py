"""
The stand-in for the platform's ``eventtracking`` tracker: events are recorded, as JSON, in ``EMITTED``.

The platform writes each event to its tracking log as JSON (and Aspects forwards it); recording the
JSON round trip here means an event that the tracking log could not serialize fails in the sandbox too.
"""

import json
import threading

#: Every event emitted since the last :func:`clear`: {"name", "data", "context"}.
EMITTED = []
_lock = threading.Lock()


def emit(name, data, context):
    event = json.loads(json.dumps({"name": name, "data": data, "context": context}))
    with _lock:
        EMITTED.append(event)


def events(prefix=""):
    with _lock:
        return [event for event in EMITTED if event["name"].startswith(prefix)]


def clear():
    with _lock:
        EMITTED.clear()
