"""Timing comparisons of two ways through a page, as a network observer would
make them: many samples of each, interleaved so that the machine's load
affects both alike, compared with the Mann-Whitney U rank test (robust to the
outliers a busy machine produces; written here: scipy is not a dependency)."""

import math
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    p_value: float
    # Hodges-Lehmann estimate of how much slower the first way is, in seconds:
    # the median of the differences between every pair of samples.
    shift: float

    def __str__(self):
        return f"p = {self.p_value:.2g}, shift = {self.shift * 1000:+.2f} ms"


def mann_whitney(first, second):
    """Two-sided Mann-Whitney U test (normal approximation with tie and
    continuity corrections, sound from about 20 samples a side)."""
    n1, n2 = len(first), len(second)
    ordered = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks, ties, index = [0.0] * len(ordered), [], 0
    while index < len(ordered):
        end = index
        while end + 1 < len(ordered) and ordered[end + 1][0] == ordered[index][0]:
            end += 1
        for position in range(index, end + 1):
            ranks[position] = (index + end) / 2 + 1
        ties.append(end - index + 1)
        index = end + 1
    rank_sum = sum(rank for rank, (_value, group) in zip(ranks, ordered, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - sum(t**3 - t for t in ties) / (n * (n - 1)))
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance) if variance else 0.0
    return math.erfc(max(z, 0.0) / math.sqrt(2))


def compare(first, second):
    shift = statistics.median(a - b for a in first for b in second)
    return Comparison(p_value=mann_whitney(first, second), shift=shift)


def timed(request):
    started = time.perf_counter()
    request()
    return time.perf_counter() - started


def sample(first, second, *, count, prepare=lambda: None):
    """`count` timings of each request (functions of the sample's number),
    alternating which goes first; `prepare` runs untimed before each."""
    timings = ([], [])
    for number in range(count):
        order = (0, 1) if number % 2 == 0 else (1, 0)
        for side in order:
            prepare()
            request = (first, second)[side]
            timings[side].append(timed(lambda request=request, number=number: request(number)))
    return timings
