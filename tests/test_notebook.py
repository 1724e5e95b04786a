"""A schedule in Jupyter: its expression and an inline SVG curve of its values, without matplotlib."""

import math
import re

import numpy as np

import lrjax
from lrjax import _notebook


def polylines(html):
    return [np.array([[float(v) for v in p.split(",")] for p in pts.split()]) for pts in re.findall(r'<polyline [^>]*points="([^"]*)"', html)]


def test_the_curve_is_the_schedules_values_scaled_into_the_box():
    schedule = lrjax.warmup_cosine(1e-3, warmup_steps=100, total_steps=1000)
    html = schedule._repr_html_()
    assert html.startswith(f'<div class="lrjax-schedule"><pre style="white-space: pre-wrap; margin: 0 0 4px 0">{repr(schedule)}</pre><svg ')
    [points] = polylines(html)
    box_w, box_h = _notebook.WIDTH - 2 * _notebook.PAD, _notebook.HEIGHT - 2 * _notebook.PAD
    last = int(_notebook.steps(schedule)[-1])  # the display horizon, as `lrjax show` picks it
    steps = (points[:, 0] - _notebook.PAD) / box_w * last
    values = (1 - (points[:, 1] - _notebook.PAD) / box_h) * 1e-3
    assert len(points) == _notebook.SAMPLES and steps[0] == 0 and round(steps[-1]) == last
    for t, v in zip(np.round(steps), values):
        expected = 1e-3 * t / 100 if t < 100 else 1e-3 * 0.5 * (1 + math.cos(math.pi * min(t - 100, 900) / 900))
        assert abs(v - expected) <= 0.006 / box_h * 1e-3 + 1e-9  # points are written to 1/100 pixel
    assert last > 1000 and ">0.001</text>" in html and ">0</text>" in html and f">step {last}</text>" in html


def test_a_stacked_batch_draws_one_curve_per_schedule():
    batch = lrjax.stack([lrjax.cosine(1.0, steps=100), lrjax.cosine(2.0, steps=100)])
    low, high = polylines(batch._repr_html_())
    assert high[0, 1] == _notebook.PAD and low[0, 1] == _notebook.PAD + (_notebook.HEIGHT - 2 * _notebook.PAD) / 2


def test_non_finite_values_break_the_line_instead_of_failing():
    svg = _notebook.svg(np.arange(6), np.array([[1.0], [2.0], [np.nan], [3.0], [np.inf], [1.0]]))
    assert [len(p) for p in polylines(svg)] == [2, 1, 1]
