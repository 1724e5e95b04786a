"""Integer-exact step arithmetic up to 2**31 - 1, where float32 cannot tell
neighbouring steps apart (float32(2147483519) == 2147483520)."""

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import lrjax
from lrjax import _arith

from .helpers import INT_MAX

#: The largest float32 below 2**31; the step just before it rounds onto it in float32.
B = 2147483520.0


def test_piecewise_constant_switches_exactly_at_a_boundary_near_int32_max():
    assert np.float32(int(B) - 1) == np.float32(B)  # the premise: float32 alone cannot tell these steps apart
    s = lrjax.piecewise_constant([B], [1.0, 2.0])
    assert float(s(jnp.int32(B - 1))) == 1.0
    assert float(s(jnp.int32(B))) == 2.0
    assert float(s(INT_MAX)) == 2.0


def test_multistep_applies_a_milestone_near_int32_max_exactly_there():
    s = lrjax.multistep(1.0, [B], 0.5)
    assert [float(s(jnp.int32(t))) for t in (B - 1, B)] == [1.0, 0.5]


def test_piecewise_linear_resolves_single_steps_near_int32_max():
    s = lrjax.piecewise_linear([B - 256, B], [0.0, 256.0])
    t = jnp.arange(int(B) - 256, int(B) + 1, dtype=jnp.int32)
    np.testing.assert_array_equal(s(t), np.arange(257, dtype=np.float32))


def test_cyclic_phase_at_int32_max():
    s = lrjax.cyclic(low=0.0, high=64.0, up_steps=64, down_steps=64)
    # (2**31 - 1) mod 128 == 127: one step before the end of a falling phase.
    assert INT_MAX % 128 == 127
    assert float(s(INT_MAX)) == 1.0
    assert float(s(INT_MAX - 64)) == 63.0


def test_step_decay_counts_periods_exactly_at_int32_max():
    s = lrjax.step_decay(init=1.0, every=2**24, factor=2.0 ** (-1 / 64))
    # floor((2**31 - 1) / 2**24) == 127, not 128 as float32 division gives.
    np.testing.assert_allclose(float(s(INT_MAX)), 2.0 ** (-127 / 64), rtol=1e-6)


def test_wsd_phase_boundaries_are_exact_for_large_whole_durations():
    s = lrjax.wsd(peak=1.0, warmup_steps=B - 2**20, stable_steps=2**20, decay_steps=64)
    assert float(s(jnp.int32(B - 1))) == 1.0  # last stable step
    assert float(s(jnp.int32(B + 32))) == 0.5  # half-way through the decay


whole_period = st.integers(1, 2**24).map(float)
step = st.integers(0, INT_MAX)


@given(step, whole_period)
def test_floor_div_is_exact(t, period):
    q, r = _arith.floor_div(_arith.Step.of(jnp.int32(t), jnp.float32), jnp.float32(period))
    r = r.float()
    quotient, remainder = divmod(t, int(period))
    assert float(r) == remainder
    assert float(q) == np.float32(quotient)  # the exact quotient, rounded once to the float dtype


@given(step, st.integers(0, 2**24).map(float))
def test_since_is_exact(t, start):
    d = _arith.Step.of(jnp.int32(t), jnp.float32).since(jnp.float32(start))
    assert float(d) == np.float32(t - int(start))


@given(step, st.lists(st.integers(0, INT_MAX), min_size=1, max_size=6))
def test_count_reached_is_exact(t, boundaries):
    b = np.sort(np.asarray(boundaries, np.float32))
    expected = sum(1 for x in b.astype(np.float64) if x <= t)
    assert int(_arith.count_reached(_arith.Step.of(jnp.int32(t), jnp.float32), jnp.asarray(b))) == expected


def test_helpers_stay_exact_under_vmap_and_jit():
    t = jnp.array([0, 1, B - 1, B, INT_MAX], dtype=jnp.int32)
    def divide(step):
        q, r = _arith.floor_div(_arith.Step.of(step, jnp.float32), jnp.float32(1000))
        return q, r.whole

    q, r = jax.jit(jax.vmap(divide))(t)
    np.testing.assert_array_equal(q, [x // 1000 for x in (0, 1, int(B) - 1, int(B), INT_MAX)])
    np.testing.assert_array_equal(r, [x % 1000 for x in (0, 1, int(B) - 1, int(B), INT_MAX)])


offsets = st.one_of(
    st.integers(0, INT_MAX).map(lambda k: float(np.float32(k))),  # whole, as stored in a float32 leaf
    st.integers(0, 2**20).map(lambda k: k + 0.25),
)


@given(step, offsets)
def test_minus_keeps_whole_steps_exact(t, offset):
    shifted = _arith.Step.of(jnp.int32(t), jnp.float32).minus(jnp.float32(offset))
    expected = max(t - offset, 0.0)  # exact in float64: both are multiples of 1/4 below 2**32
    assert int(shifted.whole) + float(shifted.frac) == expected
    assert 0 <= float(shifted.frac) < 1


@given(st.floats(0, 2**20, width=32, allow_subnormal=False), st.integers(1, 2**10))  # XLA flushes subnormals
def test_fractional_float_steps_split_exactly(t, period):
    x = _arith.Step.of(jnp.float32(t), jnp.float32)
    assert int(x.whole) + float(x.frac) == t
    q, r = _arith.floor_div(x, jnp.float32(period))
    assert float(q) == t // period and abs(float(r.float()) - t % period) <= 1e-6 * period


def test_a_boundary_at_float32_of_int32_max_is_never_reached():
    """float32(2**31 - 1) is 2**31, beyond every int32 step (found by hypothesis)."""
    b = np.float32(INT_MAX)
    assert float(lrjax.piecewise_constant([b], [1.0, 2.0])(INT_MAX)) == 1.0
    assert float(lrjax.multistep(1.0, [B, b], 0.5)(INT_MAX)) == 0.5
