import pytest

from test_framework.docker_orchestrator import ServiceOrchestrator


@pytest.fixture
def service_orchestrator():
    orchestrator = ServiceOrchestrator(services=("store", "agents"))
    orchestrator.start()
    yield orchestrator
    orchestrator.stop()
