"""Integer-exact step arithmetic up to 2**31 - 1, where float32 cannot tell
neighbouring steps apart (float32(2147483519) == 2147483520)."""

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrjax
from lrjax import _arith

from .helpers import INT_MAX, assert_same_tree

#: The largest float32 below 2**31; the step just before it rounds onto it in float32.
B = 2147483520.0


def test_piecewise_constant_switches_exactly_at_a_boundary_near_int32_max():
    assert np.float32(int(B) - 1) == np.float32(B)  # the premise: float32 alone cannot tell these steps apart
    s = lrjax.piecewise_constant([1.0, 2.0], boundaries=[B])
    assert float(s(jnp.int32(B - 1))) == 1.0
    assert float(s(jnp.int32(B))) == 2.0
    assert float(s(INT_MAX)) == 2.0


def test_multistep_applies_a_milestone_near_int32_max_exactly_there():
    s = lrjax.multistep(1.0, boundaries=[B], factor=0.5)
    assert [float(s(jnp.int32(t))) for t in (B - 1, B)] == [1.0, 0.5]


def test_piecewise_linear_resolves_single_steps_near_int32_max():
    s = lrjax.piecewise_linear([0.0, 256.0], boundaries=[B - 256, B])
    t = jnp.arange(int(B) - 256, int(B) + 1, dtype=jnp.int32)
    np.testing.assert_array_equal(s(t), np.arange(257, dtype=np.float32))


def test_cyclic_phase_at_int32_max():
    s = lrjax.cyclic(0.0, 64.0, up_steps=64, down_steps=64)
    # (2**31 - 1) mod 128 == 127: one step before the end of a falling phase.
    assert INT_MAX % 128 == 127
    assert float(s(INT_MAX)) == 1.0
    assert float(s(INT_MAX - 64)) == 63.0


def test_step_decay_counts_periods_exactly_at_int32_max():
    s = lrjax.step_decay(1.0, steps=2**24, factor=2.0 ** (-1 / 64))
    # floor((2**31 - 1) / 2**24) == 127, not 128 as float32 division gives.
    np.testing.assert_allclose(float(s(INT_MAX)), 2.0 ** (-127 / 64), rtol=1e-6)


def test_wsd_phase_boundaries_are_exact_for_large_whole_durations():
    s = lrjax.wsd(1.0, warmup_steps=B - 2**20, stable_steps=2**20, decay_steps=64)
    assert float(s(jnp.int32(B - 1))) == 1.0  # last stable step
    assert float(s(jnp.int32(B + 32))) == 0.5  # half-way through the decay


whole_period = st.integers(1, 2**24).map(float)
step = st.integers(0, INT_MAX)


@given(step, whole_period)
def test_floor_div_is_exact(t, period):
    q, r = _arith.floor_div(_arith.Step.of(jnp.int32(t), jnp.float32), _arith.Duration.of(period))
    r = r.float()
    quotient, remainder = divmod(t, int(period))
    assert float(r) == remainder
    assert float(q) == np.float32(quotient)  # the exact quotient, rounded once to the float dtype


@given(step, st.integers(0, 2**24).map(float))
def test_since_is_exact(t, start):
    d = _arith.Step.of(jnp.int32(t), jnp.float32).since(_arith.Duration.of(start))
    assert float(d) == np.float32(t - int(start))


@given(step, st.lists(st.integers(0, INT_MAX), min_size=1, max_size=6))
def test_count_reached_is_exact(t, boundaries):
    b = np.sort(np.asarray(boundaries, np.float32))
    expected = sum(1 for x in b.astype(np.float64) if x <= t)
    assert int(_arith.count_reached(_arith.Step.of(jnp.int32(t), jnp.float32), _arith.Duration.of(b))) == expected


def test_helpers_stay_exact_under_vmap_and_jit():
    t = jnp.array([0, 1, B - 1, B, INT_MAX], dtype=jnp.int32)
    def divide(step):
        q, r = _arith.floor_div(_arith.Step.of(step, jnp.float32), _arith.Duration.of(1000))
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
    shifted = _arith.Step.of(jnp.int32(t), jnp.float32).minus(_arith.Duration.of(offset))
    expected = max(t - offset, 0.0)  # exact in float64: both are multiples of 1/4 below 2**32
    assert int(shifted.whole) + float(shifted.frac) == expected
    assert 0 <= float(shifted.frac) < 1


@given(st.floats(0, 2**20, width=32, allow_subnormal=False), st.integers(1, 2**10))  # XLA flushes subnormals
def test_fractional_float_steps_split_exactly(t, period):
    x = _arith.Step.of(jnp.float32(t), jnp.float32)
    assert int(x.whole) + float(x.frac) == t
    q, r = _arith.floor_div(x, _arith.Duration.of(period))
    assert float(q) == t // period and abs(float(r.float()) - t % period) <= 1e-6 * period


def test_a_boundary_at_float32_of_int32_max_is_never_reached():
    """float32(2**31 - 1) is 2**31, beyond every int32 step (found by hypothesis)."""
    b = np.float32(INT_MAX)
    assert float(lrjax.piecewise_constant([1.0, 2.0], boundaries=[b])(INT_MAX)) == 1.0
    assert float(lrjax.multistep(1.0, boundaries=[B, b], factor=0.5)(INT_MAX)) == 0.5


# Issue 10: whole durations beyond float32's 2**24 are exact, built concretely or traced.

SWITCHES = [16_777_217, 100_000_001, 2_147_483_000, INT_MAX]


MAKERS = {
    "piecewise_constant": lambda b: lrjax.piecewise_constant([1.0, 0.5], boundaries=[b]),
    "join": lambda b: lrjax.join([1.0, 0.5], boundaries=[b]),
    "multistep": lambda b: lrjax.multistep(1.0, boundaries=[b], factor=0.5),
    "step_decay": lambda b: lrjax.step_decay(1.0, factor=0.5, steps=b),
    "shift": lambda b: lrjax.shift(lrjax.linear(1.0, 0.5, steps=1), steps=b - 1),  # s(0) up to b - 1, s(1) at b
}
#: Built inside jit from a traced b: one compilation per kind, whatever b.
BUILT_INSIDE_JIT = {kind: jax.jit(lambda b, t, make=make: make(b)(t)) for kind, make in MAKERS.items()}


@pytest.mark.parametrize("b", SWITCHES)
@pytest.mark.parametrize("kind", list(MAKERS))
def test_whole_durations_switch_exactly_concrete_jitted_and_vmapped(kind, b):
    make = MAKERS[kind]
    t = jnp.array([b - 1, b], jnp.int32)
    expected = [1.0, 0.5]
    np.testing.assert_array_equal(make(b)(t), expected)  # built from a concrete Python int
    np.testing.assert_array_equal(BUILT_INSIDE_JIT[kind](jnp.int32(b), t), expected)  # built inside jit
    both = jax.vmap(lambda b: make(b)(t))(jnp.array([b, b], jnp.int32))  # built inside vmap
    np.testing.assert_array_equal(both, [expected, expected])
    assert repr(make(b)).count(str(b - 1 if kind == "shift" else b)) == 1  # repr writes the exact number


def test_step_decay_every_16777217_counts_periods_exactly():
    s = lrjax.step_decay(1.0, factor=0.5, steps=16_777_217)
    t = jnp.array([16_777_216, 16_777_217, 2 * 16_777_217 - 1, 2 * 16_777_217], jnp.int32)
    np.testing.assert_array_equal(s(t), [1.0, 0.5, 0.5, 0.25])


def test_durations_are_exact_leaf_pairs():
    d = lrjax.Duration.of(2_147_483_000)
    assert float(d.coarse) + float(d.fine) == 2_147_483_000 and d.whole is True
    traced = jax.jit(lambda x: lrjax.Duration.of(x))(jnp.int32(100_000_001))
    assert float(traced.coarse) + float(traced.fine) == 100_000_001 and traced.whole is True
    assert jax.jit(lambda x: lrjax.Duration.of(x).whole)(1.5) is None  # a traced float: not known to be whole
    assert lrjax.Duration.of(2.5).whole is False
    assert lrjax.Duration.of([3, 2.5]).whole is None  # a batch of both: decided per member


@pytest.mark.parametrize("steps", [2.69e-268, 255.999999999, 2**24 + 255.99999999, [2.5, 511.9999999999]])
def test_durations_are_decided_whole_from_what_is_stored(steps):
    # Found by tests/test_fuzz.py: 2.69e-268 is 0 in float32 but was marked fractional, and
    # 255.999999999 was stored as fine = 256; parse and from_config rebuilt other trees.
    s = lrjax.cosine(1.0, steps=steps)
    assert np.all(np.asarray(s.steps.fine) < 256)
    assert_same_tree(lrjax.parse(repr(s)), s)
    assert_same_tree(lrjax.from_config(lrjax.to_config(s)), s)


def test_a_batch_of_whole_and_fractional_durations_is_exact_for_its_whole_members():
    # Found by tests/test_fuzz.py: a stacked pair of a whole and a fractional period, rebuilt from
    # its config or expression, took the float path for both (the whole member off near 2**31).
    period = 2**31 - 200
    whole, fractional = (lrjax.restart(lrjax.piecewise_constant([1.0, 0.0], boundaries=[1]), period=p) for p in (period, 2.5))
    batch = lrjax.stack([whole, fractional])
    t = jnp.array([period, period + 1, period + 2], jnp.int32)
    expected = np.stack([whole(t), fractional(t)])
    assert expected[0].tolist() == [1.0, 0.0, 0.0]
    for rebuilt in (batch, lrjax.from_config(lrjax.to_config(batch)), lrjax.parse(repr(batch)),
                    lrjax.restart(lrjax.piecewise_constant([1.0, 0.0], boundaries=[1]), period=[period, 2.5])):
        np.testing.assert_array_equal(rebuilt(t), expected)
        assert jax.tree.structure(rebuilt) == jax.tree.structure(batch)


X64_RESTART = textwrap.dedent(
    """
    import jax
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_numpy_dtype_promotion", "strict")  # as the suite runs: no int32/int64 mixing inside lrjax
    import jax.numpy as jnp, lrjax
    steps = jnp.array([0, 3, 2**40], jnp.int64)
    assert lrjax.multistep(1.0, boundaries=[3], factor=0.5)(steps).tolist() == [1.0, 0.5, 0.5]
    assert lrjax.piecewise_constant([1.0, 2.0], boundaries=[2.5])(steps).tolist() == [1.0, 2.0, 2.0]
    s = lrjax.restart(lrjax.cosine(1.0, steps=1), period=1, mult=2)
    starts = [2**32 - 1, 2**33 - 1, 2**40 - 1, 2**62 - 1, 2**63 - 1]
    t = jnp.array(starts + [s - 1 for s in starts], jnp.int64)
    v = s(t)
    assert v[:5].tolist() == [1.0] * 5, v
    assert all(x < 1e-9 for x in v[5:].tolist()), v
    print("ok")
    """
)


def test_restart_finds_cycle_starts_beyond_2_to_the_32_under_x64():
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", X64_RESTART], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
