from ..helpers.waiters import wait_until
from chatapp.agents import AgentRunner
from chatapp.auth import create_token, verify_token
from chatapp.websocket import ConnectionManager


def test_login_to_ai_response(chat_user, service_orchestrator):
    token = create_token(chat_user["user_id"], "e2e-secret")
    user_id = verify_token(token, "e2e-secret")
    manager, inbox = ConnectionManager(), []
    manager.connect(user_id, "c1", inbox.append)
    for event in AgentRunner().run(user_id, "what is 5 + 5?"):
        manager.dispatch(event)
    assert wait_until(lambda: inbox and inbox[-1]["type"] == "agent_completed")
    assert inbox[-1]["answer"] == "The answer is 10."
