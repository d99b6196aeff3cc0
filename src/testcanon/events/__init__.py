"""Agent event streams (see issue 6)."""
