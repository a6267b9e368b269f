"""The bot's Prometheus metrics, one registry per `App` (never prometheus-client's global one, so
two apps in one process, as in the tests, count apart).

Counters are bumped where things happen (asking.py, quiz_views.py, the reindex observer); what is
a state rather than an event (the chunks in the index, the gateway's latency) is read when
/metrics is scraped, from callbacks the app and the bot attach.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import DatabaseUnavailable

QUESTION_OUTCOMES = ("answered", "no_result", "refused")
REINDEX_OUTCOMES = ("ok", "failed", "busy", "cancelled")
QUIZ_RESULTS = ("right", "wrong")
# An answer is a search (milliseconds) and one Discord request: tenths of a second, seconds when slow.
ANSWER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
# A reindex is a fraction of a second for a few notes and minutes for thousands.
REINDEX_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

Latencies = Callable[[], Iterable[tuple[int, float]]]  # (shard id, seconds) per gateway connection


class Metrics:
    """Every metric of one app, registered in its own `registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.questions = Counter("notesbot_questions", "Questions asked, by outcome: answered (passages "
                                 "found), no_result, refused (empty, or on cooldown).", ["outcome"], registry=r)
        self.answer_seconds = Histogram("notesbot_answer_seconds", "From receiving a question to the answer "
                                        "sent.", buckets=ANSWER_BUCKETS, registry=r)
        self.reindex_runs = Counter("notesbot_reindex_runs", "Reindex runs (start-up, /reindex, the notes "
                                    "watch, the CLI), by outcome.", ["outcome"], registry=r)
        self.reindex_seconds = Histogram("notesbot_reindex_seconds", "Duration of reindex runs that finished "
                                         "or failed.", buckets=REINDEX_BUCKETS, registry=r)
        self.chunks = Gauge("notesbot_index_chunks", "Passages in the index now serving.", registry=r)
        self.quiz_answers = Counter("notesbot_quiz_answers", "Quiz answers recorded, by result.", ["result"],
                                    registry=r)
        self.database_errors = Counter("notesbot_database_errors", "Database operations that failed because "
                                       "the database was unavailable (read-only, full, locked, unreachable).",
                                       registry=r)
        for outcome in QUESTION_OUTCOMES:  # every series from 0, so rate() sees the first event
            self.questions.labels(outcome)
        for outcome in REINDEX_OUTCOMES:
            self.reindex_runs.labels(outcome)
        for result in QUIZ_RESULTS:
            self.quiz_answers.labels(result)
        self.chunks.set_function(lambda: 0.0)
        self._gateway = _GatewayLatency()
        r.register(self._gateway)

    def count_chunks(self, count: Callable[[], int]) -> None:
        """Read the index's size from `count` at each scrape."""
        self.chunks.set_function(lambda: float(count()))

    def watch_gateway(self, latencies: Latencies) -> None:
        """Report the gateway latency of each shard from `latencies` (the newest bot's)."""
        self._gateway.latencies = latencies

    def unwatch_gateway(self, latencies: Latencies) -> None:
        """Stop reporting `latencies` (a closed bot's), unless a newer bot replaced them."""
        if self._gateway.latencies == latencies:
            self._gateway.latencies = None

    def reindex_observed(self, outcome: str, seconds: float | None) -> None:
        """`NotesService`'s run observer: one reindex run ended with `outcome`."""
        self.reindex_runs.labels(outcome).inc()
        if seconds is not None:
            self.reindex_seconds.observe(seconds)

    def quiz_answered(self, correct: bool) -> None:
        self.quiz_answers.labels("right" if correct else "wrong").inc()

    def count_database_errors(self, engine: AsyncEngine) -> None:
        """Count what the storage layer turns into `DatabaseUnavailable` (bot/core/storage/outages.py).

        A failed statement passes SQLAlchemy's `handle_error`, where the storage layer's listener
        runs first: this one sees the exception it chained. A connection refused at the socket
        (PostgreSQL down: what the pool's pre-ping meets first) passes no event, so the engine's
        dialect, this engine's own instance, counts what its `connect` raises outside the driver's
        errors before the storage layer's `do_connect` turns it.
        """

        def on_error(context: ExceptionContext) -> None:
            # set only when an earlier listener returned an exception
            if isinstance(getattr(context, "chained_exception", None), DatabaseUnavailable):
                self.database_errors.inc()

        event.listen(engine.sync_engine, "handle_error", on_error)
        dialect = engine.sync_engine.dialect
        connect = dialect.connect

        def counted_connect(*cargs: Any, **cparams: Any) -> Any:
            try:
                return connect(*cargs, **cparams)
            except dialect.loaded_dbapi.Error:
                raise  # handle_error sees it
            except Exception:
                self.database_errors.inc()
                raise

        dialect.connect = counted_connect  # type: ignore[method-assign]


class _GatewayLatency(Collector):
    """notesbot_gateway_latency_seconds per shard: the last heartbeat's round trip. A shard that
    has had no heartbeat acknowledged yet (or is disconnected) has no sample."""

    def __init__(self) -> None:
        self.latencies: Latencies | None = None

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return [self._family()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        for shard, seconds in (self.latencies() if self.latencies else ()):
            if math.isfinite(seconds):
                family.add_metric([str(shard)], seconds)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("notesbot_gateway_latency_seconds",
                                 "Round trip of the last gateway heartbeat, per shard.", labels=["shard"])
