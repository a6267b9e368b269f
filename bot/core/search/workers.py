"""Worker processes for analysing a large batch of notes, which never outlive their parent.

Why: a reindex killed with SIGKILL (or SIGTERM, whose default action skips every cleanup) leaves
a `ProcessPoolExecutor`'s workers waiting for work that never comes, about 80 MB each. Each
worker therefore watches its parent: on Linux the kernel sends it SIGTERM when the parent dies
(`PR_SET_PDEATHSIG`), and everywhere a daemon thread notices that its parent has changed (the
orphan is re-parented) within `PARENT_POLL_SECONDS` and ends the process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PARENT_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def analysis_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes that exit when this process dies."""
    context = multiprocessing.get_context("spawn")  # fork is unsafe beside threads and sockets
    return ProcessPoolExecutor(workers, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),))


def watch_parent(parent: int) -> None:
    """Run in each worker at start: end this process as soon as `parent` is gone."""
    if sys.platform.startswith("linux"):
        import ctypes  # only in the worker: the parent's start-up does not pay for it

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the thread below still covers it
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="watch-parent", daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
