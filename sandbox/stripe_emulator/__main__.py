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


async def serve(args):
    from .app import start

    runner, port = await start(args.port, args.webhook_url, args.webhook_secret, args.verbose)
    print(f"Stripe emulator listening on http://127.0.0.1:{port}", flush=True)
    if args.port_file:
        write_port_file(args.port_file, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv=None):
    args = parse_args(argv)
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
