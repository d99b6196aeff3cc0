"""Our shared test framework (grown over three years; see CONTRIBUTING)."""

from test_framework.base_integration_test import BaseIntegrationTest
from test_framework.base_test import BaseTestCase

__all__ = ["BaseIntegrationTest", "BaseTestCase"]
