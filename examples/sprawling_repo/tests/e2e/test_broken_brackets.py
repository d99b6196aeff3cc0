from chatapp.agents import AgentRunner


def test_event_payload_shape():
    events = list(AgentRunner().run("u", "2 + 2"))
    expected = { "type": "agent_started", "user_id": "u" ))
    assert {k: events[0][k] for k in expected} == expected


def test_run_length():
    assert len(list(AgentRunner().run("u", "2 + 2"))) == 6
