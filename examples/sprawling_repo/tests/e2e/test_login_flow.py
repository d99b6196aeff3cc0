from chatapp.auth import InvalidToken, create_token, verify_token
from test_framework.base_integration_test import BaseIntegrationTest


class TestLoginFlow(BaseIntegrationTest):
    def test_login_then_verify(self):
        token = create_token("dave", "secret")
        self.assertEqual(verify_token(token, "secret"), "dave")

    def test_wrong_secret_is_rejected(self):
        token = create_token("dave", "secret")
        with self.assertRaises(InvalidToken):
            verify_token(token, "other")
