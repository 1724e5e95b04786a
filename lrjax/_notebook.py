"""How a schedule shows in Jupyter: its expression and a small inline SVG curve, without matplotlib.

A presentation module, beside the command (whose display horizon it uses):
importing it sets `Schedule._repr_html_`'s drawing function, so the schedule
layer never imports it.
"""

from __future__ import annotations

import html as _html

import numpy as np

from . import _schedule
from ._cli import horizon
from ._curves import values
from ._schedule import Schedule

WIDTH, HEIGHT, PAD = 360, 110, 14  #: the curve's box in pixels, and its margin for the labels
SAMPLES = 240  #: the most steps evaluated for one curve
MAX_CURVES = 8  #: of a stacked batch of schedules, the first ones drawn
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def steps(schedule: Schedule) -> np.ndarray:
    """The steps drawn: evenly spread over ``0 .. horizon(schedule)``, at most `SAMPLES`, both ends included."""
    return np.unique(np.linspace(0, horizon(schedule), SAMPLES).round().astype(np.int64))


def html(schedule: Schedule) -> str:
    """The expression, then the curve over `steps` as an SVG polyline (one per schedule of a stacked batch)."""
    expression = f'<pre style="white-space: pre-wrap; margin: 0 0 4px 0">{_html.escape(repr(schedule))}</pre>'
    try:
        at = steps(schedule)
        curves = np.asarray(values(schedule, at), np.float64).reshape(-1, len(at)).T[:, :MAX_CURVES]  # batch axes first
    except Exception:  # a display must not fail: a schedule that cannot be evaluated shows its expression only
        return f'<div class="lrjax-schedule">{expression}</div>'
    return f'<div class="lrjax-schedule">{expression}{svg(at, curves)}</div>'


def svg(at: np.ndarray, curves: np.ndarray) -> str:
    """``curves[:, j]`` against the steps ``at``, scaled into the box; non-finite values break the line."""
    finite = curves[np.isfinite(curves)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = high - low or 1.0
    xs = PAD + (WIDTH - 2 * PAD) * (at - at[0]) / max(int(at[-1] - at[0]), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="9">',
        f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" fill="none" stroke="#ddd"/>',
    ]
    for j in range(curves.shape[1]):
        ys = PAD + (HEIGHT - 2 * PAD) * (1 - (curves[:, j] - low) / span)
        for run in _finite_runs(np.isfinite(ys)):
            points = " ".join(f"{x:.2f},{y:.2f}" for x, y in zip(xs[run], ys[run]))
            parts.append(f'<polyline fill="none" stroke="{COLORS[j % len(COLORS)]}" stroke-width="1.5" points="{points}"/>')
    parts += [
        f'<text x="{PAD}" y="{PAD - 3}">{high:.4g}</text>',
        f'<text x="{PAD}" y="{HEIGHT - 3}">{low:.4g}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 3}" text-anchor="end">step {int(at[-1])}</text>',
        "</svg>",
    ]
    return "".join(parts)


def _finite_runs(finite: np.ndarray) -> list[slice]:
    runs, start = [], None
    for i, ok in enumerate([*finite, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append(slice(start, i))
            start = None
    return runs


_schedule.display = html
