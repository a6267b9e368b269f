"""A step of the bot run in a child process with a deadline: a quadratic (or exponential) step on
a hostile note fails its test in seconds, where running it in the test's own process would hang
the suite for minutes (a regular expression cannot be interrupted)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any


def finishes_within(seconds: float, step: Callable[..., Any], *args: Any) -> bool:
    """Whether `step(*args)` returns, without raising, within `seconds` (a forked child runs it)."""
    child = multiprocessing.get_context("fork").Process(target=_run, args=(step, *args), daemon=True)
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode == 0


def _run(step: Callable[..., Any], *args: Any) -> None:
    """Leave with `os._exit`: a forked child must not run the finalizers it inherited (the
    parent's semaphores, database threads)."""
    try:
        step(*args)
    except BaseException:
        os._exit(1)
    os._exit(0)
