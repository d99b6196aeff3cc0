"""Where journeys and load may go: loopback, or a host the project (or the command line) names."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from testcanon.errors import UsageError


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_target(url: str, allowed: Iterable[str] = ()) -> str:
    """The URL's host when it is loopback or allowed; otherwise a one-line error naming the way in."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https", "ws", "wss") or not host:
        raise UsageError(f"{url!r} is not an http(s) or ws(s) URL with a host")
    if is_loopback(host) or host.lower() in {h.strip().lower() for h in allowed}:
        return host
    raise UsageError(f"{host} is neither loopback nor an allowed host: pass --allow-host {host} "
                     f"or list it in [tool.testcanon.events] allowed_hosts")
