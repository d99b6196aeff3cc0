from legacy_testing.base import LegacyTestCase

from chatapp.tools.lookup import DocumentIndex


class TestDocumentIndex(LegacyTestCase):
    def test_get_returns_the_text(self):
        self.assertEqual(DocumentIndex({"a": "text"}).get("a"), "text")
