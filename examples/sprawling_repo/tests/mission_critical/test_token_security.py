from chatapp.auth import InvalidToken, verify_token
from test_framework.base_test import BaseTestCase as BTC


class TestTokenSecurity(BTC):
    def test_malformed_token(self):
        with self.assertRaises(InvalidToken):
            verify_token("not-a-token", "s")
