"""/metrics in the Prometheus text format. Counters come from the daemon's own tallies; the rest is
read from the database at scrape time, so every instance reports the same truth."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import col, func, select

from aiwatch.clock import as_utc, utcnow
from aiwatch.models import Outbox, Source
from aiwatch.store import Store

if TYPE_CHECKING:
    from aiwatch.daemon import DaemonState


class _Collector(Collector):
    def __init__(self, store: Store, state: DaemonState) -> None:
        self.store, self.state = store, state

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        polls = CounterMetricFamily("aiwatch_polls", "Polls by source and outcome",
                                    labels=["source", "outcome"])  # fmt: skip
        notifications = CounterMetricFamily("aiwatch_notifications", "Notifications by result",
                                            labels=["status"])  # fmt: skip
        new_items = CounterMetricFamily("aiwatch_new_items", "New items found by polling")
        for name, value in self.state.counters.items():
            kind, _, rest = name.partition(":")
            if kind == "polls":
                source, _, outcome = rest.rpartition(":")
                polls.add_metric([source, outcome], value)
            elif kind == "notifications":
                notifications.add_metric([rest], value)
            elif kind == "new_items":
                new_items.add_metric([], value)
        yield polls
        yield notifications
        yield new_items
        depth = GaugeMetricFamily("aiwatch_outbox_depth", "Outbox rows by status",
                                  labels=["status"])  # fmt: skip
        oldest = GaugeMetricFamily(
            "aiwatch_outbox_oldest_pending_seconds", "Age of the oldest undelivered notification"
        )
        last_poll = GaugeMetricFamily(
            "aiwatch_source_last_success_timestamp_seconds",
            "Last successful poll per source",
            labels=["source"],
        )
        role = GaugeMetricFamily("aiwatch_leader", "1 when this instance polls and plans")
        with self.store.session() as session:
            for status, count in session.exec(
                select(Outbox.status, func.count()).group_by(col(Outbox.status))
            ):
                depth.add_metric([status], count)
            first = session.exec(
                select(func.min(Outbox.created_at)).where(
                    col(Outbox.status).in_(("pending", "failed", "delivering"))
                )
            ).one()
            oldest.add_metric([], (utcnow() - as_utc(first)).total_seconds() if first else 0.0)
            for name, at in session.exec(select(Source.name, Source.last_success_at)):
                if at is not None:
                    last_poll.add_metric([name], as_utc(at).timestamp())
        role.add_metric([], 1.0 if self.state.role in ("leader", "single") else 0.0)
        uptime = GaugeMetricFamily("aiwatch_uptime_seconds", "Seconds since start")
        uptime.add_metric([], time.monotonic() - self.state.started)
        yield from (depth, oldest, last_poll, role, uptime)


def render_metrics(store: Store, state: DaemonState) -> bytes:
    registry = CollectorRegistry()
    registry.register(_Collector(store, state))
    return generate_latest(registry)
