from legacy_testing.base import LegacyTestCase
from legacy_testing.sync import sync_threads


class TestLegacySync(LegacyTestCase):
    def test_sync(self):
        self.assertTrue(sync_threads([]))
