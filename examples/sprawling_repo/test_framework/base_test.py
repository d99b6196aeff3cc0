"""The original base class. Most unit tests still use it."""

import os
import shutil
import tempfile
import unittest


class BaseTestCase(unittest.TestCase):
    """Sets a predictable environment and gives each test a scratch directory."""

    def setUp(self):
        super().setUp()
        self._saved_env = dict(os.environ)
        os.environ["CHATAPP_ENV"] = "test"
        self.tmpdir = tempfile.mkdtemp(prefix="chatapp-test-")
        self.addCleanup(shutil.rmtree, self.tmpdir, ignore_errors=True)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self._saved_env)
        super().tearDown()

    def assertEventTypes(self, events, expected):
        self.assertEqual([e["type"] for e in events], list(expected))
