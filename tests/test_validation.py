"""Concrete bad input raises ValueError naming the argument, the value and what
is allowed. (Traced bad input cannot be checked; that it still gives finite
values is tested for every hyperparameter in test_primitives.)"""

import pytest

import lrjax

BAD = [
    (lambda: lrjax.linear(1.0, 0.0, steps=-1), r"linear: steps must be a finite number >= 0, got -1"),
    (lambda: lrjax.cosine(1.0, steps=-10.5), r"cosine: steps must be a finite number >= 0, got -10.5"),
    (lambda: lrjax.cosine(float("nan"), steps=10), r"cosine: init must be a finite number, got nan"),
    (lambda: lrjax.linear(1.0, float("inf"), 10), r"linear: end must be a finite number, got inf"),
    (lambda: lrjax.cosine("big", steps=10), r"cosine: init must be a number, got 'big'"),
    (lambda: lrjax.cosine(1.0, steps=10, exponent=0.0), r"cosine: exponent must be a finite number > 0, got 0.0"),
    (lambda: lrjax.polynomial(1.0, 0.0, 10, power=-1), r"polynomial: power must be a finite number > 0, got -1"),
    (lambda: lrjax.step_decay(1.0, every=0, factor=0.5), r"step_decay: every must be a finite number > 0, got 0"),
    (lambda: lrjax.step_decay(1.0, every=3, factor=-0.5), r"step_decay: factor must be a finite number >= 0, got -0.5"),
    (lambda: lrjax.inverse_sqrt(1.0, timescale=0), r"inverse_sqrt: timescale must be a finite number > 0, got 0"),
    (lambda: lrjax.inverse_time(1.0, rate=-1.0, steps=10), r"inverse_time: rate must be a finite number >= 0, got -1.0"),
    (lambda: lrjax.exponential(1.0, rate=0.0, steps=10), r"exponential: rate must be a finite number > 0, got 0.0"),
    (lambda: lrjax.exponential(1.0, rate=0.5, steps=0), r"exponential: steps must be a finite number > 0, got 0"),
    (
        lambda: lrjax.exponential(1.0, rate=0.5, steps=10, end=2.0),
        r"exponential: end must be <= init when rate < 1 \(a floor\) and >= init when rate > 1 \(a ceiling\), "
        r"got end=2.0, init=1.0, rate=0.5",
    ),
    (
        lambda: lrjax.exponential(1.0, rate=2.0, steps=10, end=0.5),
        r"exponential: end must be <= init .* got end=0.5, init=1.0, rate=2.0",
    ),
    (lambda: lrjax.exponential(1.0, 0.5, 10, staircase=1), r"exponential: staircase must be a Python bool .* got 1"),
    (
        lambda: lrjax.piecewise_constant([20, 10], [1.0, 2.0, 3.0]),
        r"piecewise_constant: boundaries must be sorted in non-decreasing order, got \[20, 10\]",
    ),
    (
        lambda: lrjax.piecewise_constant([-5, 10], [1.0, 2.0, 3.0]),
        r"piecewise_constant: boundaries must be a finite number >= 0, got \[-5, 10\]",
    ),
    (
        lambda: lrjax.piecewise_constant([10, 20], [1.0, 2.0]),
        r"piecewise_constant: values must have 3 entries \(one more than boundaries\), got 2",
    ),
    (
        lambda: lrjax.piecewise_constant([[10, 20]], [1.0, 2.0, 3.0]),
        r"piecewise_constant: boundaries must be a 1-D sequence of numbers, got \[\[10, 20\]\]",
    ),
    (
        lambda: lrjax.piecewise_linear([0, 10], [1.0, 2.0, 3.0]),
        r"piecewise_linear: values must have 2 entries \(one per boundary\), got 3",
    ),
    (lambda: lrjax.piecewise_linear([], []), r"piecewise_linear: boundaries must have at least one knot, got \[\]"),
    (
        lambda: lrjax.piecewise_linear([0, 10], [1.0, 2.0], shape="cos"),
        r"piecewise_linear: shape must be one of 'linear', 'cosine', got 'cos'",
    ),
    (
        lambda: lrjax.multistep(1.0, milestones=[50, 30], factor=0.1),
        r"multistep: milestones must be sorted in non-decreasing order, got \[50, 30\]",
    ),
    (
        lambda: lrjax.one_cycle(1.0, steps=100, pct_start=1.5),
        r"one_cycle: pct_start must be a finite number >= 0 and <= 1, got 1.5",
    ),
    (
        lambda: lrjax.one_cycle(1.0, steps=2, pct_start=0.3),
        r"one_cycle: pct_start \* steps must be >= 1 so the rising phase has a step, got pct_start=0.3",
    ),
    (lambda: lrjax.one_cycle(1.0, steps=100, div=0), r"one_cycle: div must be a finite number > 0, got 0"),
    (
        lambda: lrjax.one_cycle(1.0, steps=100, shape="cos"),
        r"one_cycle: shape must be one of 'cosine', 'linear', got 'cos'",
    ),
    (lambda: lrjax.one_cycle_momentum(steps=0), r"one_cycle_momentum: steps must be a finite number > 0, got 0"),
    (lambda: lrjax.cyclic(0.1, 1.0, up_steps=0), r"cyclic: up_steps must be a finite number > 0, got 0"),
    (lambda: lrjax.cyclic(0.1, 1.0, 10, down_steps=-2), r"cyclic: down_steps must be a finite number > 0, got -2"),
    (
        lambda: lrjax.cyclic(0.1, 1.0, 10, mode="triangle"),
        r"cyclic: mode must be one of 'triangular', 'triangular2', 'exp_range', got 'triangle'",
    ),
    (lambda: lrjax.cyclic(0.1, 1.0, 10, gamma=0.0), r"cyclic: gamma must be a finite number > 0, got 0.0"),
    (lambda: lrjax.wsd(1.0, -1, 10, 10), r"wsd: warmup_steps must be a finite number >= 0, got -1"),
    (
        lambda: lrjax.wsd(1.0, 1, 10, 10, decay_shape="step"),
        r"wsd: decay_shape must be one of 'linear', 'cosine', 'sqrt', 'exponential', got 'step'",
    ),
    (
        lambda: lrjax.wsd(1.0, 1, 10, 10, decay_shape="exponential"),
        r"wsd: end \(with decay_shape='exponential'\) must be a finite number > 0, got 0.0",
    ),
    (lambda: lrjax.from_fn(3.0), r"from_fn: fn must be callable, got 3.0"),
    (lambda: lrjax.from_fn(lambda t, a: a, a=float("nan")), r"from_fn: a must be a finite number, got nan"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m for _, m in BAD])
def test_concrete_bad_input_raises(make, message):
    with pytest.raises(ValueError, match=message):
        make()
