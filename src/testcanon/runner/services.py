"""Real services for the layers that need them: reach an existing one, or start and stop it.

A service is reachable when its host:port accepts a TCP connection (or its `ready` command,
if not "tcp", exits 0). The runner starts only what is not already there, waits for it, hands
its settings to the tests as environment variables, and stops what it started: on success,
on failure and on Ctrl-C (each started service is its own process group).
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field

from testcanon.config import Service
from testcanon.errors import CanonError


class ServiceError(CanonError):
    exit_code = 1


@dataclass
class Running:
    name: str
    process: subprocess.Popen[bytes] | None  # None: it was already there
    env: dict[str, str] = field(default_factory=dict)


def _settings(name: str, service: Service) -> dict[str, str]:
    values = {"host": service.host, "port": str(service.port), "name": name}
    env = {f"{name.upper()}_HOST": service.host, f"{name.upper()}_PORT": str(service.port)}
    env.update({key: value.format(**values) for key, value in service.env.items()})
    return env


def ready(service: Service) -> bool:
    if service.ready and service.ready != "tcp":
        try:
            return subprocess.run(service.ready, shell=True, capture_output=True, timeout=10).returncode == 0
        except subprocess.TimeoutExpired:
            return False
    if not service.port:
        return False
    try:
        with socket.create_connection((service.host, service.port), timeout=0.5):
            return True
    except OSError:
        return False


def start(name: str, service: Service) -> Running:
    env = _settings(name, service)
    if ready(service):
        return Running(name, None, env)
    if not service.command:
        raise ServiceError(f"service '{name}' is not reachable at {service.host}:{service.port} "
                           "and has no `command` to start it")
    command = service.command.format(host=service.host, port=service.port, name=name)
    process = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, **env})
    running = Running(name, process, env)
    deadline = time.monotonic() + service.startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"service '{name}' exited with {process.returncode} while starting "
                               f"(`{command}`)")
        if ready(service):
            return running
        time.sleep(0.05)
    stop(running)
    raise ServiceError(f"service '{name}' not ready after {service.startup_timeout:g}s (`{command}`)")


def stop(running: Running) -> None:
    process = running.process
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, PermissionError):
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class ServicePool:
    """Services started so far in a run; `close` stops them in reverse order."""

    def __init__(self, services: dict[str, Service]) -> None:
        self.services = services
        self.running: dict[str, Running] = {}

    def ensure(self, names: list[str]) -> dict[str, str]:
        env: dict[str, str] = {}
        for name in names:
            if name not in self.services:
                raise ServiceError(f"category needs service '{name}', which [tool.testcanon.services] "
                                   "does not define")
            if name not in self.running:
                self.running[name] = start(name, self.services[name])
            env.update(self.running[name].env)
        return env

    @property
    def started(self) -> list[str]:
        return [name for name, running in self.running.items() if running.process is not None]

    def close(self) -> None:
        for running in reversed(list(self.running.values())):
            stop(running)
        self.running.clear()
