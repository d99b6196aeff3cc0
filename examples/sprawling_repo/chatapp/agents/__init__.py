"""Agents: scripted runners that think, call tools and answer, emitting events."""

from chatapp.agents.runner import CRITICAL_EVENTS, AgentRunner

__all__ = ["CRITICAL_EVENTS", "AgentRunner"]
