import os
from unittest.mock import patch

from test_framework.env_helpers import env_flag


def test_flag_true_values():
    with patch.dict(os.environ, {"FEATURE_X": "yes"}):
        assert env_flag("FEATURE_X") is True


def test_flag_default_when_missing():
    with patch.dict(os.environ, {}, clear=True):
        assert env_flag("FEATURE_X", default=True) is True
