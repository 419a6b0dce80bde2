"""``python -m sandbox.stripe_emulator``: serve the emulator until interrupted."""

import argparse
import asyncio
import logging
import os
import signal
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.stripe_emulator", description="Stripe emulator (test mode) on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 (default) lets the OS choose")
    parser.add_argument("--port-file", help="write the bound port number to this file")
    parser.add_argument("--webhook-url", help="send every event to this URL")
    parser.add_argument("--webhook-secret", help="signing secret (whsec_...) for --webhook-url")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument(
        "--parent-pid",
        type=int,
        help="exit when this process (the one that started the emulator) is gone",
    )
    parser.add_argument(
        "--parent-death-signal",
        action="store_true",
        help="with --parent-pid, on Linux: ask the kernel for SIGTERM when the parent thread ends",
    )
    parser.add_argument(
        "--watch-stdin",
        action="store_true",
        help="exit when standard input reaches end of file (the starting process closed it or died)",
    )
    args = parser.parse_args(argv)
    if args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-url needs --webhook-secret")
    return args


def write_port_file(path, port):
    """Write atomically: a reader polling for the file never sees it half written."""
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(str(port))
    os.replace(temporary, path)


PR_SET_PDEATHSIG = 1
SHUTDOWN_TIMEOUT = 5.0


def die_with_parent(parent_pid, death_signal=False):
    """Never outlive the process that started us, however it ends (even SIGKILL).

    With ``death_signal``, on Linux, the kernel sends SIGTERM when the parent
    goes (``prctl(PR_SET_PDEATHSIG)``; it fires when the parent *thread* that
    started us ends, so the runner asks for it only from a main thread). The
    parent may already be gone by the time this runs, hence the ``getppid()``
    check after it; the periodic check in :func:`serve` covers the rest.
    """
    if death_signal and sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        sys.exit(0)


async def _watch_parent(parent_pid, stop):
    while not stop.is_set():
        if os.getppid() != parent_pid:
            stop.set()
            return
        await asyncio.sleep(0.5)


def _watch_stdin(loop, stop):
    """EOF on stdin (a pipe the parent holds open) means the parent is gone."""
    fd = sys.stdin.fileno()

    def readable():
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(fd)
            stop.set()

    loop.add_reader(fd, readable)


async def serve(args):
    from .app import start

    runner, port = await start(args.port, args.webhook_url, args.webhook_secret, args.verbose)
    print(f"Stripe emulator listening on http://127.0.0.1:{port}", flush=True)
    if args.port_file:
        write_port_file(args.port_file, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    watchers = []
    if args.parent_pid:
        watchers.append(asyncio.ensure_future(_watch_parent(args.parent_pid, stop)))
    if args.watch_stdin:
        _watch_stdin(loop, stop)
    try:
        await stop.wait()
    finally:
        for watcher in watchers:
            watcher.cancel()
        # Never hang on the way out: nobody may be left to kill us.
        try:
            await asyncio.wait_for(runner.cleanup(), SHUTDOWN_TIMEOUT)
        except TimeoutError:
            pass


def main(argv=None):
    args = parse_args(argv)
    if args.parent_pid:
        die_with_parent(args.parent_pid, args.parent_death_signal)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.verbose:
        logging.getLogger("aiohttp.access").setLevel(logging.INFO)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
