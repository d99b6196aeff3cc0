# -*- coding: latin-1 -*-
"""Greetings in the original latin-1 file of the French team."""


def test_french_greeting():
    assert "café".endswith("é")
