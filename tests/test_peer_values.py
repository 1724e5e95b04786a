"""Values the peers document or compute: torch's OneCycleLR/CyclicLR/
CosineAnnealingWarmRestarts numbers (checked against torch 2.15 in
shared/reference/peers.md) and optax's own schedules and combinators, which are
importable here because optax is a dependency."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrjax

STEPS = jnp.arange(0, 400, dtype=jnp.int32)


def test_torch_one_cycle_lr_total_steps_10():
    s = lrjax.one_cycle(peak=1.0, steps=10)
    # peers.md lists t=4 as .8118, but torch's formula gives (1 + cos(2*pi/7)) / 2
    # * (1 - 4e-6) + 4e-6 = 0.811746, i.e. .8117; the other nine agree to 4 decimals.
    expected = [0.04, 0.52, 1.0, 0.9505, 0.8117, 0.6113, 0.3887, 0.1883, 0.0495, 4e-6]
    np.testing.assert_allclose(s(jnp.arange(10)), expected, atol=5e-5)


def test_torch_one_cycle_momentum_total_steps_10():
    s = lrjax.one_cycle_momentum(steps=10)
    values = np.asarray(s(jnp.arange(10)))
    np.testing.assert_allclose(values[[0, 1, 2, 9]], [0.95, 0.9, 0.85, 0.95], atol=5e-5)
    assert np.all(np.diff(values[2:]) > 0)


def test_torch_cyclic_lr_up_2_down_3():
    s = lrjax.cyclic(low=0.1, high=1.0, up_steps=2, down_steps=3)
    np.testing.assert_allclose(s(jnp.arange(6)), [0.1, 0.55, 1.0, 0.7, 0.4, 0.1], atol=1e-6)


def test_torch_cyclic_lr_triangular2_peaks():
    s = lrjax.cyclic(low=0.1, high=1.0, up_steps=2, down_steps=3, mode="triangular2")
    np.testing.assert_allclose(s(jnp.array([2, 7, 12])), [1.0, 0.55, 0.325], atol=1e-6)


def test_torch_cosine_annealing_warm_restarts_t0_3_tmult_2():
    s = lrjax.restart(lrjax.cosine(1.0, steps=3), period=3, mult=2)
    expected = [1, 0.75, 0.25, 1, 0.933, 0.75, 0.5, 0.25, 0.067, 1]
    np.testing.assert_allclose(s(jnp.arange(10)), expected, atol=5e-4)


PAIRS = [
    (lrjax.linear(1.0, 0.1, steps=100), optax.linear_schedule(1.0, 0.1, 100)),
    (lrjax.polynomial(1.0, 0.01, steps=150, power=2.5), optax.polynomial_schedule(1.0, 0.01, 2.5, 150)),
    (lrjax.cosine(2e-3, 2e-4, steps=250, power=1.5), optax.cosine_decay_schedule(2e-3, 250, alpha=0.1, exponent=1.5)),
    (lrjax.exponential(1.0, rate=0.7, steps=30), optax.exponential_decay(1.0, 30, 0.7)),
    (lrjax.exponential(1.0, rate=0.7, steps=30, staircase=True), optax.exponential_decay(1.0, 30, 0.7, staircase=True)),
    (lrjax.clip(lrjax.exponential(1.0, rate=0.7, steps=30), min=0.2), optax.exponential_decay(1.0, 30, 0.7, end_value=0.2)),
    (lrjax.clip(lrjax.exponential(0.1, rate=1.3, steps=30), max=2.0), optax.exponential_decay(0.1, 30, 1.3, end_value=2.0)),
    (
        lrjax.piecewise_constant([1.0, 0.5, 0.05, 0.1], boundaries=[50, 100, 300]),
        optax.piecewise_constant_schedule(1.0, {50: 0.5, 100: 0.1, 300: 2.0}),
    ),
    (
        lrjax.piecewise_linear([1.0, 2.0, 0.2], boundaries=[0, 50, 200]),
        optax.piecewise_interpolate_schedule("linear", 1.0, {50: 2.0, 200: 0.1}),
    ),
    (
        lrjax.piecewise_linear([1.0, 2.0, 0.2], boundaries=[0, 50, 200], shape="cosine"),
        optax.piecewise_interpolate_schedule("cosine", 1.0, {50: 2.0, 200: 0.1}),
    ),
]


def _optax_values(schedule):
    with jax.numpy_dtype_promotion("standard"):  # optax itself is not strict-promotion clean
        return np.asarray(jax.jit(jax.vmap(schedule))(STEPS))


SGDR_CYCLE = dict(init_value=0.01, peak_value=1.0, warmup_steps=5, decay_steps=40, end_value=0.05)
PAIRS += [
    (
        lrjax.warmup_cosine(peak=1.0, warmup_steps=20, total_steps=300, init=0.01, end=0.05),
        optax.warmup_cosine_decay_schedule(0.01, 1.0, 20, 300, end_value=0.05),
    ),
    (
        lrjax.join([lrjax.linear(0.0, 1.0, steps=10), lrjax.cosine(1.0, 0.1, steps=50), lrjax.constant(0.1)], boundaries=[10, 60]),
        optax.join_schedules(
            [optax.linear_schedule(0.0, 1.0, 10), optax.cosine_decay_schedule(1.0, 50, 0.1), optax.constant_schedule(0.1)],
            [10, 60],
        ),
    ),
    (
        # optax spells out every cycle; lrjax repeats one and holds the last end value.
        lrjax.cycle(lrjax.warmup_cosine(1.0, warmup_steps=5, total_steps=40, init=0.01, end=0.05), period=40, limit=6),
        optax.sgdr_schedule([SGDR_CYCLE] * 6),
    ),
]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=[repr(p[0]) for p in PAIRS])
def test_matches_optax_step_for_step(ours, theirs):
    """Where both libraries define the curve (steps >= 0), they agree to float32 rounding."""
    theirs = _optax_values(theirs)
    finite = np.isfinite(theirs)
    assert finite.sum() > 100  # see test_finite_where_optax_polynomial_is_nan
    np.testing.assert_allclose(ours(STEPS)[finite], theirs[finite], rtol=2e-6, atol=1e-9)


def test_finite_where_optax_polynomial_is_nan():
    """Under jit, XLA turns ``count / 150`` into ``count * (1/150)``, which exceeds 1 at
    count 150; optax then raises a negative base to the power 2.5 and returns NaN
    from the end of the transition on (optax 0.2.8). lrjax decides "ramp complete"
    by comparison, so its end value is exact."""
    ours = jax.jit(lrjax.polynomial(1.0, 0.01, steps=150, power=2.5))
    assert [float(ours(t)) for t in (150, 151, 10**6)] == [np.float32(0.01)] * 3
