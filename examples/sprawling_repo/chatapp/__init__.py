"""chatapp: agents that answer users and stream their progress as events."""

__version__ = "0.3.0"
