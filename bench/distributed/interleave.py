"""The distributed benchmarks' measuring loop: every runner once per
repeat, in turn (interleaved, so drift on a shared machine falls on all of
them alike); the caller takes medians."""

from __future__ import annotations

from typing import Callable, Dict, List


def interleaved(runners: Dict[str, Callable[[], float]], repeats: int,
                before: Callable[[str], None] = lambda name: None,
                after: Callable[[str], None] = lambda name: None) -> Dict[str, List[float]]:
    """name -> the seconds of each of its runs. A runner returns the
    seconds it measured; ``before(name)`` and ``after(name)`` run around
    each run, outside what it measured (emptying outputs, reading logs)."""
    times: Dict[str, List[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            before(name)
            times[name].append(run())
            after(name)
    return times
