"""Audit: the success-metrics table, stored in the history database (`canon audit`)."""

from testcanon.audit.audit import Audit, MetricRow, measure
from testcanon.audit.metrics import STATIC_METRICS, MetricSpec

__all__ = ["STATIC_METRICS", "Audit", "MetricRow", "MetricSpec", "measure"]
