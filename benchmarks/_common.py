"""Shared helpers for the benchmark scripts: the command line, timing summaries, the
machine line, and the check that a result is plausible.

Every benchmark takes `--quick`: the same code path on a few seconds of input, which the
test suite runs (tests/test_benchmarks.py) so that a benchmark the product has moved away
from fails there instead of printing a stale number. `expect` is how a benchmark says
what a result must be for it to have measured the product at all (every dot read right,
every trigger received); a miss exits 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from collections.abc import Sequence


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The benchmark's parser, its description the docstring's first line, with `--quick`."""
    out = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    out.add_argument(
        "--quick", action="store_true", help="a few seconds of input (the test suite runs this)"
    )
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def summary_ms(samples: Sequence[float]) -> str:
    """Median / p95 / max of durations given in seconds, as milliseconds."""
    ordered = sorted(samples)
    return (
        f"median {statistics.median(ordered) * 1e3:.3f} ms, p95 {p95(ordered) * 1e3:.3f} ms, "
        f"max {ordered[-1] * 1e3:.3f} ms (n={len(ordered)})"
    )


def p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def expect(ok: bool, what: str) -> None:
    """Exit 1 saying `what` when `ok` is false: the benchmark did not measure the product."""
    if not ok:
        print(f"STALE BENCHMARK: {what}", file=sys.stderr)
        sys.exit(1)
