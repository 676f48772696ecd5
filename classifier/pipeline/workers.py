"""Worker processes for labelling: each loads the model once, results come back in input order.

Uses the standard library's ProcessPoolExecutor with the 'spawn' start method
(what Windows does anyway; safe with onnxruntime's threads). At most
`in_flight` items are submitted and not yet collected, so memory stays
bounded however long the input is.
"""

from __future__ import annotations

import os
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


def _result(future):
    ok, value = future.result()
    if not ok:
        _reraise(*value)
    return value
