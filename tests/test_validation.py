"""Concrete bad input raises ValueError naming the argument, the value and what
is allowed. (Traced bad input cannot be checked; that it still gives finite
values is tested for every hyperparameter in test_primitives.)"""

import numpy as np
import pytest

import lrjax

BAD = [
    (lambda: lrjax.linear(1.0, 0.0, steps=-1), r"linear: steps must be a finite number >= 0, got -1"),
    (lambda: lrjax.cosine(1.0, steps=-10.5), r"cosine: steps must be a finite number >= 0, got -10.5"),
    (lambda: lrjax.cosine(float("nan"), steps=10), r"cosine: init must be a finite number, got nan"),
    (lambda: lrjax.linear(1.0, float("inf"), steps=10), r"linear: end must be a finite number, got inf"),
    (lambda: lrjax.cosine("big", steps=10), r"cosine: init must be a number, got 'big'"),
    (lambda: lrjax.cosine(1.0, steps=10, power=0.0), r"cosine: power must be a finite number > 0, got 0"),
    (lambda: lrjax.polynomial(1.0, 0.0, steps=10, power=-1), r"polynomial: power must be a finite number > 0, got -1"),
    (lambda: lrjax.step_decay(1.0, steps=0, factor=0.5), r"step_decay: steps must be a finite number > 0, got 0"),
    (lambda: lrjax.step_decay(1.0, steps=3, factor=-0.5), r"step_decay: factor must be a finite number >= 0, got -0.5"),
    (lambda: lrjax.inverse_sqrt(1.0, steps=0), r"inverse_sqrt: steps must be a finite number > 0, got 0"),
    (lambda: lrjax.inverse_time(1.0, rate=-1.0, steps=10), r"inverse_time: rate must be a finite number >= 0, got -1"),
    (lambda: lrjax.exponential(1.0, rate=-1.0, steps=10), r"exponential: rate must be a finite number >= 0, got -1"),
    (lambda: lrjax.exponential(1.0, rate=0.5, steps=0), r"exponential: steps must be a finite number > 0, got 0"),
    (lambda: lrjax.exponential(1.0, rate=0.5, steps=10, staircase=1), r"exponential: staircase must be a Python bool .* got 1"),
    (
        lambda: lrjax.piecewise_constant([1.0, 2.0, 3.0], boundaries=[20, 10]),
        r"piecewise_constant: boundaries must be sorted in non-decreasing order, got \[20, 10\]",
    ),
    (
        lambda: lrjax.piecewise_constant([1.0, 2.0, 3.0], boundaries=[-5, 10]),
        r"piecewise_constant: boundaries must be a finite number >= 0, got \[-5, 10\]",
    ),
    (
        lambda: lrjax.piecewise_constant([1.0, 2.0], boundaries=[10, 20]),
        r"piecewise_constant: values must have 3 entries \(one more than boundaries\), got 2",
    ),
    (
        lambda: lrjax.piecewise_constant([1.0, 2.0], boundaries=10),
        r"piecewise_constant: boundaries must be a 1-D sequence of numbers, got 10",
    ),
    (
        lambda: lrjax.piecewise_linear(1.0, boundaries=[0]),
        r"piecewise_linear: values must be a 1-D sequence of numbers, got 1",
    ),
    (
        lambda: lrjax.piecewise_constant([[1.0, 2.0, 3.0]], boundaries=[[10, 20], [5, 6]]),
        r"piecewise_constant: batched arguments must have one batch shape, got values \(1,\), boundaries \(2,\)",
    ),
    (
        lambda: lrjax.piecewise_linear([1.0, 2.0, 3.0], boundaries=[0, 10]),
        r"piecewise_linear: values must have 2 entries \(one per boundary\), got 3",
    ),
    (lambda: lrjax.piecewise_linear([], boundaries=[]), r"piecewise_linear: boundaries must have at least one knot, got \[\]"),
    (
        lambda: lrjax.piecewise_linear([1.0, 2.0], boundaries=[0, 10], shape="cos"),
        r"piecewise_linear: shape must be one of 'linear', 'cosine', got 'cos'",
    ),
    (
        lambda: lrjax.multistep(1.0, boundaries=[50, 30], factor=0.1),
        r"multistep: boundaries must be sorted in non-decreasing order, got \[50, 30\]",
    ),
    (
        lambda: lrjax.one_cycle(1.0, steps=100, pct_start=1.5),
        r"one_cycle: pct_start must be a finite number >= 0 and <= 1, got 1.5",
    ),
    (
        lambda: lrjax.one_cycle(1.0, steps=2, pct_start=0.3),
        r"one_cycle: pct_start \* steps must be >= 1 so the rising phase has a step, got pct_start=0\.3\d*, steps=2",
    ),
    (lambda: lrjax.one_cycle(1.0, steps=100, div=0), r"one_cycle: div must be a finite number > 0, got 0"),
    (
        lambda: lrjax.one_cycle(1.0, steps=100, shape="cos"),
        r"one_cycle: shape must be one of 'cosine', 'linear', got 'cos'",
    ),
    (lambda: lrjax.one_cycle_momentum(steps=0), r"one_cycle_momentum: steps must be a finite number > 0, got 0"),
    (lambda: lrjax.cyclic(0.1, 1.0, up_steps=0), r"cyclic: up_steps must be a finite number > 0, got 0"),
    (lambda: lrjax.cyclic(0.1, 1.0, up_steps=10, down_steps=-2), r"cyclic: down_steps must be a finite number > 0, got -2"),
    (
        lambda: lrjax.cyclic(0.1, 1.0, up_steps=10, mode="triangle"),
        r"cyclic: mode must be one of 'triangular', 'triangular2', 'exp_range', got 'triangle'",
    ),
    (lambda: lrjax.cyclic(0.1, 1.0, up_steps=10, factor=0.0), r"cyclic: factor must be a finite number > 0, got 0"),
    (lambda: lrjax.wsd(1.0, warmup_steps=-1, stable_steps=10, decay_steps=10), r"wsd: warmup_steps must be a finite number >= 0, got -1"),
    (
        lambda: lrjax.wsd(1.0, warmup_steps=1, stable_steps=10, decay_steps=10, shape="step"),
        r"wsd: shape must be one of 'linear', 'cosine', 'sqrt', 'exponential', got 'step'",
    ),
    (
        lambda: lrjax.wsd(1.0, warmup_steps=1, stable_steps=10, decay_steps=10, shape="exponential"),
        r"wsd: peak and end must be > 0 with shape='exponential', got peak=1, end=0",
    ),
    (lambda: lrjax.from_fn(3.0), r"from_fn: fn must be callable, got 3.0"),
    (lambda: lrjax.from_fn(lambda t, a: a, a=float("nan")), r"from_fn: a must be a finite number, got nan"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m for _, m in BAD])
def test_concrete_bad_input_raises(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_exponential_has_no_end_and_takes_durations_by_keyword():
    """0.2: the floor or ceiling of an exponential is a clip; rate, steps (and staircase) are keyword-only."""
    with pytest.raises(TypeError, match="end"):
        lrjax.exponential(1.0, rate=0.5, steps=10, end=0.1)
    with pytest.raises(TypeError, match="positional"):
        lrjax.exponential(1.0, 0.5, 10)
    floor = lrjax.clip(lrjax.exponential(1.0, rate=0.5, steps=10), min=0.3)
    assert [float(floor(t)) for t in (0, 10, 100)] == [1.0, 0.5, pytest.approx(0.3)]


def test_exponential_accepts_rate_zero():
    """0.2: rate = 0 is valid (as step_decay's factor = 0 is): init at step 0, then 0."""
    t = np.array([0, 5, 10, 100])
    np.testing.assert_array_equal(lrjax.exponential(2.0, rate=0.0, steps=10)(t), [2.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(lrjax.exponential(2.0, rate=0.0, steps=10, staircase=True)(t), [2.0, 2.0, 0.0, 0.0])


def test_boundaries_with_a_leading_axis_are_a_batch_of_schedules():
    """0.2: vector fields take batch axes before their last one, so a 2-D ``boundaries`` is not an error but a batch."""
    s = lrjax.piecewise_constant([[1.0, 2.0, 3.0]], boundaries=[[10, 20]])
    np.testing.assert_array_equal(s(np.array([0, 15, 25])), [[1.0, 2.0, 3.0]])


@pytest.mark.parametrize("make", [
    lambda: lrjax.cosine(1e300, steps=1),
    lambda: lrjax.cosine([1e39, 1.0], steps=1),
    lambda: lrjax.cosine(np.float64(-1e39), steps=1),
    lambda: lrjax.cosine(1.0, steps=1e39),
    lambda: lrjax.exponential(1.0, rate=1e39, steps=1),
    lambda: lrjax.parse("warmup(constant(1e300), steps=1)"),
    lambda: lrjax.from_config({"format": "lrjax", "version": 2, "schedule": {"type": "constant", "value": 1e300}}),
])
def test_numbers_beyond_the_float_range_are_rejected(make):
    # Found by tests/test_fuzz.py: 1e300 passed the finiteness check in float64 and became an
    # infinite float32 leaf (with NumPy's overflow warning), printed as init=inf.
    with pytest.raises(ValueError, match=r"must be at most 3.4028235e\+38 in magnitude \(float32\)"):
        make()


def test_products_of_constants_overflow_as_jax_does_without_numpy_warnings():
    # Found by tests/test_fuzz.py: constants hold NumPy leaves, and a product of two was computed by NumPy.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = lrjax.constant(-1e30) * lrjax.constant(-1e30)
        assert np.isinf(v(0)) and isinstance(v(0), type(lrjax.constant(1.0)(0)))


@pytest.mark.parametrize("x", [10**400, -(10**400)])
def test_integers_beyond_every_float_are_rejected_with_a_value_error(x):
    # Found by tests/test_fuzz.py: a Python int beyond float64 raised OverflowError from the scalar check.
    with pytest.raises(ValueError, match="init must be at most .* got an integer of 401 digits"):
        lrjax.cosine(x, steps=1)
    with pytest.raises(ValueError, match="steps must be at most"):
        lrjax.from_config({"format": "lrjax", "version": 2, "schedule": {"type": "cosine", "init": 1.0, "steps": x}})


@pytest.mark.parametrize("make, message", [
    (lambda: lrjax.noise(bound=1e-300), r"bound must be a finite number > 0, got 1e-300 \(0 in float32\)"),
    (lambda: lrjax.exponential(1.0, rate=0.5, steps=1e-300), r"steps must be a finite number > 0, got 1e-300 \(0 in float32\)"),
    (lambda: lrjax.noise(bound=[1.0, 1e-300]), r"bound must be a finite number > 0, got \[1, 1e-300\] \(\[1, 0\] in float32\)"),
])
def test_bounds_hold_for_the_number_as_stored(make, message):
    # Found by tests/test_fuzz.py: noise(bound=1e-300) passed "> 0" in float64, was stored as 0,
    # and its repr (bound=0.0) did not parse.
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make", [
    lambda: lrjax.shift(lrjax.cosine([1.0, 2.0], steps=1), steps=[1, 2, 3]),
    lambda: lrjax.join([lrjax.constant([1.0, 2.0]), lrjax.constant([1.0, 2.0, 3.0])], boundaries=[1]),
    lambda: lrjax.cosine([1.0, 2.0], steps=1) + lrjax.constant([1.0, 2.0, 3.0]),
    lambda: lrjax.from_config({"format": "lrjax", "version": 2, "batch_shape": [3], "schedule": {
        "type": "shift", "steps": [1, 2, 3], "schedule": {"type": "constant", "value": [1.0, 2.0]}}}),
])
def test_a_child_batched_differently_from_its_parent_is_rejected(make):
    # Found by tests/test_fuzz.py: accepted, then calling it raised vmap's "inconsistent sizes".
    with pytest.raises(ValueError, match="batched arguments must have one batch shape"):
        make()
