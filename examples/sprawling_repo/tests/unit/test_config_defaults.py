import os
import unittest
from os import environ

from chatapp.config import load_settings


class TestConfigDefaults(unittest.TestCase):
    def test_environment_name(self):
        expected = os.getenv("CHATAPP_ENV", "development")
        self.assertEqual(load_settings().environment, expected)

    def test_max_tool_calls(self):
        if "CHATAPP_MAX_TOOL_CALLS" not in environ:
            self.assertEqual(load_settings().max_tool_calls, 4)


if __name__ == "__main__":
    unittest.main()
