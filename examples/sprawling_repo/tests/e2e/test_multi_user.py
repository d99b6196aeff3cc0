from chatapp.agents import AgentRunner
from chatapp.websocket import ConnectionManager


def test_no_cross_talk_between_users():
    manager = ConnectionManager()
    inboxes = {user: [] for user in ("u1", "u2", "u3")}
    for user, inbox in inboxes.items():
        manager.connect(user, f"c-{user}", inbox.append)
    for user in inboxes:
        for event in AgentRunner().run(user, "2 * 21"):
            manager.dispatch(event)
    for user, inbox in inboxes.items():
        assert {event["user_id"] for event in inbox} == {user}
        assert len(inbox) == 6
