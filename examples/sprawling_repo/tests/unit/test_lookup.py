from chatapp.tools.lookup import DocumentIndex
from test_framework.base_test import BaseTestCase


class TestDocumentLookup(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.index = DocumentIndex({"a": "red apples", "b": "green apples", "c": "red cars"})

    def test_single_word(self):
        self.assertEqual(self.index.search("apples"), ["a", "b"])

    def test_all_words_must_match(self):
        self.assertEqual(self.index.search("red apples"), ["a"])

    def test_empty_query(self):
        self.assertEqual(self.index.search("  "), [])
