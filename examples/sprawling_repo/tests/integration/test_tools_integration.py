import unittest

from chatapp.tools import DocumentIndex, calculate


class TestToolsTogether(unittest.TestCase):
    def test_lookup_then_calculate(self):
        index = DocumentIndex({"limits": "four tool calls"})
        self.assertEqual(index.search("tool calls"), ["limits"])
        self.assertEqual(calculate("4 * 1"), 4)


if __name__ == "__main__":
    unittest.main()
