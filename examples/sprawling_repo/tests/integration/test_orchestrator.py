from test_framework.docker_orchestrator import ServiceOrchestrator


def test_start_and_stop():
    orchestrator = ServiceOrchestrator(services=("a", "b"))
    assert orchestrator.start() is True
    orchestrator.stop()
    assert not orchestrator.health("a")


def test_fixture_orchestrator_runs_agents(service_orchestrator):
    assert service_orchestrator.health("agents")
