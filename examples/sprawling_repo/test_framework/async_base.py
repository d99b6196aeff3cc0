"""Async tests got their own base when the agents went asyncio."""

import os
import unittest


class AsyncBaseTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.env_name = os.getenv("CHATAPP_ENV", "test")

    async def collect(self, agen):
        return [item async for item in agen]
