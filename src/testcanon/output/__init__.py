"""Renderers: every output format is a view over the same findings."""
