from testcanon import SSotAsyncTestCase

from chatapp.tools import calculate


class TestAsyncTools(SSotAsyncTestCase):
    async def test_calculator_in_a_task(self):
        self.assertEqual(calculate("3 * 3"), 9)
