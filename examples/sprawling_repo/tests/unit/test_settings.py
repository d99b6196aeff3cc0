from test_framework.ssot_compat import CanonicalCompatBase

from chatapp.config import load_settings


class TestSettings(CanonicalCompatBase):
    def test_ttl_is_positive(self):
        self.assertGreater(load_settings().token_ttl_seconds, 0)

    def test_make_user_helper(self):
        self.assertEqual(self.make_user("bob")["display_name"], "Bob")
