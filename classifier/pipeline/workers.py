"""Workers for labelling, results in input order: threads sharing one model, or processes.

`ordered_thread_map` runs items in threads of this process. It is the way to use
every core with the sentence encoder: onnxruntime releases the GIL while the
transformer runs (about 90% of a row's CPU time), so N threads keep N cores busy
with one model in memory and no worker start-up. Each run has one intra-op
thread, so a text's vector is computed exactly as in a single thread.

`ordered_map` runs items in worker processes (standard library's
ProcessPoolExecutor, 'spawn' start method: what Windows does anyway; safe with
onnxruntime's threads), each loading the model once: the way for the TF-IDF
only path, which is Python throughout and would hold the GIL.

In both, at most `in_flight` items are submitted and not yet collected, so
memory stays bounded however long the input is.
"""

from __future__ import annotations

import os
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

from classifier import errors

_STATE: dict = {}


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _init(model_dir: str, fast: bool = False) -> None:
    from classifier.pipeline.persistence import load_model

    # Each worker has one core's share: one thread each for the numeric libraries.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the parent process already showed any load warning
        _STATE["model"] = load_model(model_dir)
    _STATE["model"].fast = fast  # `label --fast`: TF-IDF only in the workers too


def _call(fn: Callable, item):
    try:
        return True, fn(_STATE["model"], item)
    except errors.ComplaintThemesError as exc:
        # Our errors pass back as (type name, message): some constructors take other arguments.
        return False, (type(exc).__name__, Exception.__str__(exc))


def _reraise(name: str, message: str):
    cls = getattr(errors, name, errors.ComplaintThemesError)
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    raise exc


def ordered_map(
    fn: Callable, items: Iterable, model_dir: str, jobs: int, in_flight: int | None = None, fast: bool = False
) -> Iterator:
    """fn(model, item) for every item in `jobs` worker processes; results in input order.

    `fn` must be a module-level function (it is sent to the workers by name).
    """
    in_flight = in_flight or 2 * jobs
    pending: deque = deque()
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=get_context("spawn"), initializer=_init, initargs=(str(model_dir), fast)
    ) as pool:
        try:
            for item in items:
                pending.append(pool.submit(_call, fn, item))
                if len(pending) >= in_flight:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
        except BaseException:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def ordered_thread_map(fn: Callable, model, items: Iterable, jobs: int, in_flight: int | None = None) -> Iterator:
    """fn(model, item) for every item in `jobs` threads of this process; results in input order.

    `model` is shared: whatever it loads lazily must be loaded before (see `warm`)."""
    in_flight = in_flight or 2 * jobs
    pending: deque = deque()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="label") as pool:
        try:
            for item in items:
                pending.append(pool.submit(fn, model, item))
                if len(pending) >= in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            for f in pending:
                f.cancel()
            raise


def _result(future):
    ok, value = future.result()
    if not ok:
        _reraise(*value)
    return value
