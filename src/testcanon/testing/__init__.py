"""Canonical test library (see issue 3)."""
