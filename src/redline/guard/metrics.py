"""Prometheus metrics, in a registry of the app's own (two apps in one process never clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class GuardMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "redline_guard_requests", "HTTP requests by route and status.", ["route", "status"],
            registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "redline_guard_request_seconds", "Time to answer, by route.", ["route"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.decisions = Counter(
            "redline_guard_decisions", "Checks by stage and action.", ["stage", "action"],
            registry=r,
        )  # fmt: skip
        self.flags = Counter(
            "redline_guard_flags", "Flagged categories by stage.", ["stage", "category"],
            registry=r,
        )  # fmt: skip
        self.upstream_latency = Histogram(
            "redline_guard_upstream_seconds", "Upstream time to first byte of the answer.",
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.upstream_errors = Counter(
            "redline_guard_upstream_errors", "Failed upstream calls by kind.", ["kind"],
            registry=r,
        )  # fmt: skip
        self.feedback = Counter(
            "redline_guard_feedback", "Human labels by whether the guard agreed.", ["agreed"],
            registry=r,
        )  # fmt: skip
        self.weights = Gauge(
            "redline_guard_judge_weight", "Hedge weight of each judge.", ["stage", "judge"],
            registry=r,
        )  # fmt: skip

    def render(self) -> bytes:
        return generate_latest(self.registry)
