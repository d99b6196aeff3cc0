"""Integration tests need the orchestrator and a longer timeout."""

from test_framework.base_test import BaseTestCase
from test_framework.docker_orchestrator import ServiceOrchestrator


class BaseIntegrationTest(BaseTestCase):
    timeout_seconds = 30

    def setUp(self):
        super().setUp()
        self.orchestrator = ServiceOrchestrator(services=("store",))
        self.orchestrator.start()

    def tearDown(self):
        self.orchestrator.stop()
        super().tearDown()
