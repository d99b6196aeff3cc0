import unittest

from chatapp.tools.calculator import calculate


class TestCalculatorErrors(unittest.TestCase):
    def test_names_are_rejected(self):
        with self.assertRaises(ValueError):
            calculate("__import__('os')")

    def test_division_by_zero_raises(self):
        with self.assertRaises(ZeroDivisionError):
            calculate("1 / 0")
