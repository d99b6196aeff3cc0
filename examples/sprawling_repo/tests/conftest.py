import pytest

from chatapp.agents import AgentRunner
from chatapp.store import ThreadStore


@pytest.fixture
def runner():
    return AgentRunner(agent_name="assistant")


@pytest.fixture
def store():
    return ThreadStore()
