import test_framework.base_test as bt

from chatapp.auth import InvalidToken, create_token, verify_token


class TestExpiry(bt.BaseTestCase):
    def test_expired_token_is_rejected(self):
        token = create_token("bob", "s", ttl_seconds=10, now=0)
        with self.assertRaises(InvalidToken):
            verify_token(token, "s", now=11)

    def test_user_id_with_dot_is_rejected(self):
        with self.assertRaises(ValueError):
            create_token("bob.smith", "s")
