from chatapp.auth import InvalidToken, create_token, verify_token
from test_framework.base_test import BaseTestCase as BTC

SECRET = "unit-secret"


class TestTokens(BTC):
    def test_round_trip(self):
        token = create_token("alice", SECRET, now=1000)
        self.assertEqual(verify_token(token, SECRET, now=1001), "alice")

    def test_tampered_signature(self):
        token = create_token("alice", SECRET, now=1000)
        with self.assertRaises(InvalidToken):
            verify_token(token[:-1] + "0", SECRET, now=1001)
