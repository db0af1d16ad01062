"""`briefbot health`: ask the running bot's /healthz and exit 0 when it is healthy.

The container image's HEALTHCHECK: it reads HTTP_ADDRESS like the bot, and needs no curl.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.cli.common import subcommand
from bot.errors import OperatorError


def register(commands: Any) -> None:
    parser = subcommand(
        commands,
        "health",
        run,
        "ask the running bot whether it is healthy (its /healthz, at HTTP_ADDRESS)",
        "Exit 0 when the running bot answers /healthz with 200 (gateway connected, database reachable, "
        "briefing loaded); otherwise print what is wrong and exit 1.",
    )
    parser.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS", help="give up after this long")


def local_url(address: str) -> str:
    """Where this machine reaches a server listening on `address` (HOST:PORT, or PORT)."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request

    from bot.config import load_settings

    settings = load_settings()
    if not settings.http_address:
        raise OperatorError("HTTP_ADDRESS is not set: the bot serves /healthz only with it, e.g. HTTP_ADDRESS=8080", 2)
    url = f"{local_url(settings.http_address)}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        print(f"unhealthy ({exc.code}): {_failing(body)}")
        return 1
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OperatorError(f"nothing answers at {url} ({reason}): is the bot running with HTTP_ADDRESS set?") from None
    print(f"healthy: {_summary(body)}")
    return 0


def _checks(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError:
        return {}
    checks = document.get("checks") if isinstance(document, dict) else None
    return checks if isinstance(checks, dict) else {}


def _failing(body: bytes) -> str:
    failing = [f"{name}: {c.get('detail')}" for name, c in _checks(body).items() if not c.get("ok")]
    return "; ".join(failing) or body.decode("utf-8", "replace")[:200]


def _summary(body: bytes) -> str:
    return "; ".join(f"{name}: {c.get('detail')}" for name, c in _checks(body).items()) or "ok"
