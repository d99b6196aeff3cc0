"""Waiting helpers for e2e tests (copied from helpers/network.py and renamed)."""

import socket
import time


def wait_for_port(address, port_number, limit=5.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            with socket.create_connection((address, port_number), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_until(predicate, timeout=2.0, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
