import os

from testcanon import SSotBaseTestCase

from chatapp.config import load_settings


class TestCriticalSettings(SSotBaseTestCase):
    def test_production_requires_a_real_secret(self):
        if os.environ.get("CHATAPP_ENV") == "production":
            self.assertNotEqual(load_settings().secret_key, "dev-secret")

    def test_max_tool_calls_bounded(self):
        self.assertLessEqual(load_settings().max_tool_calls, 10)
