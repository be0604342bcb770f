"""Group commit for position reports: many fixes, one durable transaction, every caller waits.

A request handler checks a fix (place, time, the sender's right to speak for the unit) and
hands it to :meth:`PositionBatcher.submit`, which blocks until the batch holding the fix has
committed. One writer thread takes whatever is queued (up to ``max_batch`` fixes, or what
arrives within ``max_wait_s`` of the first), stores it all in ONE transaction
(:func:`jingwu.units.service.do_report_positions`: bulk insert, each unit moved to its newest
fix, the usual ``unit.position`` outbox events), commits, then answers every waiter. So a
201 still means the fix is on disk, but the fsync is paid once per batch instead of per fix.

A batch that fails (any database error) fails every waiter with :class:`PositionsBusy` (503)
and stores none of it: it was one transaction. A caller that waited ``answer_within_s``
without an answer gets 503 too; if its fix had not been taken yet it is dropped and never
stored, if its batch was already being written the caller waits for that batch's outcome.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from jingwu.core.db import Database
from jingwu.core.errors import AppError
from jingwu.units import service
from jingwu.units.schemas import PositionIn, PositionOut

log = logging.getLogger(__name__)


class PositionsBusy(AppError):
    """The position writer could not store the fix now; the terminal should retry later."""

    status_code = 503
    code = "positions_busy"


@dataclass
class _Waiting:
    fix: service.CheckedFix
    future: Future[PositionOut] = field(default_factory=Future)


class PositionBatcher:
    """One writer thread that group-commits position fixes (see the module docstring)."""

    def __init__(
        self,
        database: Database,
        *,
        max_batch: int = 500,
        max_wait_s: float = 0.02,
        answer_within_s: float = 10.0,
        max_queued: int = 20_000,
    ) -> None:
        self._database = database
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.answer_within_s = answer_within_s
        self._queue: queue.Queue[_Waiting] = queue.Queue(maxsize=max_queued)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.stored = 0
        self.failed_batches = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping.is_set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="position-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Store what is queued, then end the writer thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._fail_queued("定位写入已停止 / position writer stopped")

    def submit(self, *, unit_id: int, position: PositionIn, source: str) -> PositionOut:
        """Queue a fix and wait until it is committed; raises PositionsBusy when it is not.

        Check the fix first: :func:`jingwu.units.service.check_position` runs here again
        (cheap), the caller's right to report for ``unit_id`` is the caller's job.
        """
        at = service.check_position(position=position)
        waiting = _Waiting(service.CheckedFix(unit_id, position, at, source))
        if not self.running:
            raise PositionsBusy("定位写入未运行 / position writer not running")
        try:
            self._queue.put_nowait(waiting)
        except queue.Full:
            raise PositionsBusy(
                "定位上报繁忙，请稍后重试 / too many positions queued, retry later"
            ) from None
        return self._answer(waiting)

    def _answer(self, waiting: _Waiting) -> PositionOut:
        try:
            return waiting.future.result(timeout=self.answer_within_s)
        except FutureTimeout:
            pass
        if waiting.future.cancel():
            raise PositionsBusy(
                "定位写入超时，未保存，请重试 / position not stored in time, retry",
                code="positions_timeout",
            )
        try:  # its batch is being written: its outcome is the answer
            return waiting.future.result(timeout=self.answer_within_s)
        except FutureTimeout:
            raise PositionsBusy(
                "定位写入超时，可能已保存 / position write timed out, it may have been stored",
                code="positions_timeout",
            ) from None
        except CancelledError:  # pragma: no cover - cancel() failed above, so never
            raise PositionsBusy("定位写入已取消 / position write cancelled") from None

    def _take(self) -> list[_Waiting]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch:
            left = deadline - time.monotonic()
            try:
                batch.append(
                    self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
                )
            except queue.Empty:
                break
        # a waiter that gave up before we took it is dropped, never stored
        return [w for w in batch if w.future.set_running_or_notify_cancel()]

    def _run(self) -> None:
        while not (self._stopping.is_set() and self._queue.empty()):
            batch = self._take()
            if batch:
                self._write(batch)

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            with self._database.session() as session:
                service.do_report_positions(session, fixes=[w.fix for w in batch])
        except Exception as exc:  # every waiter must get an answer
            self.failed_batches += 1
            log.warning("position batch of %d failed: %s", len(batch), exc)
            detail = exc.message if isinstance(exc, AppError) else type(exc).__name__
            for w in batch:
                w.future.set_exception(
                    PositionsBusy(
                        "定位批量写入失败，未保存，请重试 / position batch failed, nothing stored, "
                        "retry",
                        code="positions_batch_failed",
                        reason=detail,
                    )
                )
            return
        self.batches += 1
        self.stored += len(batch)
        for w in batch:
            f = w.fix
            w.future.set_result(
                PositionOut(
                    unit_id=f.unit_id,
                    at=f.at,
                    lat=f.position.lat,
                    lon=f.position.lon,
                    heading=f.position.heading,
                    speed_mps=f.position.speed_mps,
                    source=f.source,
                )
            )

    def _fail_queued(self, message: str) -> None:
        while True:
            try:
                waiting = self._queue.get_nowait()
            except queue.Empty:
                return
            if waiting.future.set_running_or_notify_cancel():
                waiting.future.set_exception(PositionsBusy(message))
