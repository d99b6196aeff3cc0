from unittest import mock

from chatapp.agents import AgentRunner


def test_agent_with_mocked_index():
    index = mock.Mock()
    index.search.return_value = ["doc"]
    index.get.return_value = "mocked answer"
    events = list(AgentRunner(index=index).run("u", "anything"))
    assert events[-1]["answer"] == "mocked answer"
