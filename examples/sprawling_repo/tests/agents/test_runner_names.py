import unittest

from chatapp.agents import AgentRunner


class TestRunnerNames(unittest.TestCase):
    def test_agent_name_on_events(self):
        events = list(AgentRunner(agent_name="helper").run("u", "1 + 1"))
        self.assertEqual({e["agent_name"] for e in events}, {"helper"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
