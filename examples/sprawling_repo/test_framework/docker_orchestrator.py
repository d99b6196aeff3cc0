"""Starts the services integration tests need (in-process stand-ins here)."""

import time


class ServiceOrchestrator:
    def __init__(self, services=("store",), startup_timeout=5.0):
        self.services = tuple(services)
        self.startup_timeout = startup_timeout
        self.running = {}

    def start(self):
        for name in self.services:
            self.running[name] = {"name": name, "started_at": time.monotonic()}
        return self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if all(self.health(name) for name in self.services):
                return True
            time.sleep(0.01)
        raise TimeoutError(f"services not ready: {self.services}")

    def health(self, name):
        return name in self.running

    def stop(self):
        self.running.clear()
