from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_os_environ():
    """These tests change os.environ on purpose; put it back whatever they do."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
