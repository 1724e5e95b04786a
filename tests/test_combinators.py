"""Combinator behaviour beyond the generic case tests: exact restart boundaries,
continuity, limits, program size, validation and algebra."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrjax

from . import reference as ref
from .helpers import INT_MAX, evaluate, hlo_ops


def peak_restart(period, mult):
    """Value 1 exactly at every cycle start, 0 at each cycle's end."""
    return lrjax.restart(lrjax.linear(1.0, 0.0, steps=period), period=period, mult=mult)


@pytest.mark.parametrize(
    "period, mult, start",
    [
        (1, 3, 121),  # torch step(epoch) and timm return the minimum here
        (1, 2, 8191),  # Keras CosineDecayRestarts in float32 returns 0 here
        (1, 2, 2**31 - 1),  # the 31st restart, on the last int32 step
        (1, 3, (3**19 - 1) // 2),
        (1, 3, (3**20 - 1) // 2),
        (7, 2, 7 * (2**28 - 1)),
        (1000, 10, 1000 * (10**6 - 1) // 9),
    ],
)
def test_restart_starts_exactly_on_its_boundary(period, mult, start):
    s = lambda t: evaluate(peak_restart(period, mult), t)  # noqa: E731
    assert float(s(start)) == 1.0
    # The step before is the last of the previous cycle, whose value is 1 / length.
    previous = ref.restart(np.array([start - 1.0]), lambda x: ref.linear(x, 1.0, 0.0, period), period, mult)
    np.testing.assert_allclose(float(s(start - 1)), previous, atol=1e-6)


def _starts(period, mult, below=2**31):
    starts, s, length = [], 0, period
    while s < below:
        starts.append(s)
        s, length = s + length, length * mult
    return starts


@given(st.integers(1, 5000), st.integers(2, 12), st.data())
def test_restart_cycle_starts_are_exact_for_whole_period_and_mult(period, mult, data):
    starts = _starts(period, mult)
    k = data.draw(st.integers(1, len(starts) - 1))
    s = lambda t: evaluate(peak_restart(period, mult), t)  # noqa: E731
    at = jnp.array([starts[k] - 1, starts[k], min(starts[k] + 1, INT_MAX)], jnp.int32)
    expected = ref.restart(np.asarray(at, np.float64), lambda x: ref.linear(x, 1.0, 0.0, period), period, mult)
    # Positions inside a cycle are stretched floats: absolute float32 resolution near the end of long cycles.
    np.testing.assert_allclose(s(at), expected, rtol=1e-5, atol=1e-6)
    assert float(s(starts[k])) == 1.0


@given(st.sampled_from([(4, 1.5), (2, 1.5), (8, 1.25), (16, 1.125), (3, 1.0), (5, 2.5)]), st.data())
def test_restart_with_fractional_mult_matches_the_walked_reference(period_mult, data):
    period, mult = period_mult
    t = np.array(data.draw(st.lists(st.integers(0, 10**6), min_size=8, max_size=8)))  # one shape: one compilation
    s = lrjax.restart(lrjax.cosine(1.0, 0.1, steps=period), period=period, mult=mult)
    expected = ref.restart(t.astype(np.float64), lambda x: ref.cosine(x, 1.0, period, 0.1), period, mult)
    np.testing.assert_allclose(evaluate(s, jnp.asarray(t, jnp.int32)), expected, rtol=1e-4, atol=1e-5)


def test_fractional_starts_that_fall_on_whole_steps_are_exact():
    s = jax.jit(peak_restart(4, 1.5))  # lengths 4, 6, 9, 13.5, 20.25: starts 0, 4, 10, 19, 32.5, 52.75
    values = s(jnp.array([3, 4, 9, 10, 18, 19, 32, 33]))
    assert [float(v) == 1.0 for v in values] == [False, True, False, True, False, True, False, False]


def test_timm_cycle_decay_peaks_then_holds():
    s = lrjax.restart(lrjax.cosine(1.0, steps=4), period=4, factor=0.5, limit=3)
    np.testing.assert_allclose(s(jnp.array([0, 4, 8, 12, 100])), [1.0, 0.5, 0.25, 0.0, 0.0], atol=1e-7)


def test_limit_holds_the_end_of_the_last_cycle_scaled_by_its_factor():
    s = lrjax.restart(lrjax.cosine(1.0, 0.2, steps=10), period=10, mult=2, factor=0.5, limit=3)
    # cycles [0, 10), [10, 30), [30, 70); then the end of cycle 2: 0.2 * 0.5**2
    assert float(s(69)) > 0.05 and float(s(70)) == pytest.approx(0.05) and float(s(10**9)) == pytest.approx(0.05)
    c = lrjax.cycle(lrjax.cosine(1.0, 0.2, steps=10), period=10, factor=0.5, limit=3)
    assert float(c(30)) == pytest.approx(0.05) and float(c(29)) > 0.05


def test_warmup_with_prefix_is_continuous_and_starts_the_inner_clock_after_it():
    inner = lrjax.cosine(1.0, 0.1, steps=100)
    s = lrjax.warmup(inner, steps=10, init=0.0)
    assert float(s(10)) == float(inner(0)) == 1.0
    assert abs(float(s(9)) - float(s(10))) <= 0.1 + 1e-6  # one step of a 10-step ramp
    assert float(s(110)) == float(inner(100))


def test_warmup_without_prefix_ramps_to_the_inner_value_at_its_end():
    inner = lrjax.cosine(1.0, 0.1, steps=100)
    s = lrjax.warmup(inner, steps=10, init=0.0, prefix=False)
    assert float(s(10)) == float(inner(10))
    assert float(s(5)) == pytest.approx(0.5 * float(inner(10)))
    assert float(s(100)) == float(inner(100))


def test_sgdr_warmup_delays_the_restart_clock():
    s = lrjax.sgdr(peak=1.0, period=10, mult=2.0, warmup_steps=5)
    assert [float(s(t)) for t in (0, 5, 15, 35)] == [0.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "make",
    [
        lambda n: lrjax.cycle(lrjax.cosine(1.0, steps=100), period=100, limit=n),
        lambda n: lrjax.restart(lrjax.cosine(1.0, steps=100), period=100, mult=1.0, limit=n),
        lambda n: lrjax.restart(lrjax.cosine(1.0, steps=100), period=100, mult=2.0, limit=n),
    ],
    ids=["cycle", "restart", "restart_mult2"],
)
def test_program_size_does_not_depend_on_the_number_of_cycles(make):
    """Ops in the lowered program for a 10-cycle and a 1000-cycle horizon."""
    ten = hlo_ops(lambda s, t: jax.vmap(s)(t), make(10), jnp.arange(10 * 100))
    thousand = hlo_ops(lambda s, t: jax.vmap(s)(t), make(1000), jnp.arange(1000 * 100))
    assert ten == thousand


def test_join_of_pieces_of_one_structure_does_not_grow():
    """Pieces of one structure are evaluated once: closed over, 10 and 40 cosines lower to one program size
    (up to 8 pieces are picked by selects, which vectorise); passed as an argument, each piece adds only the
    stacking of its leaves."""

    def joined(k):
        pieces = [lrjax.cosine(1.0 / (i + 1), steps=10) for i in range(k)]
        return lrjax.join(pieces, boundaries=[10 * (i + 1) for i in range(k - 1)])

    closed = {k: hlo_ops(lambda t, s=joined(k): s(t), jnp.arange(100)) for k in (10, 20, 40)}
    assert len(set(closed.values())) == 1, closed
    argument = [hlo_ops(lambda s: s(jnp.int32(25)), joined(k)) for k in (3, 4, 5, 40)]  # one step, as in a training step
    per_piece = np.diff(argument[:3])
    leaves = len(jax.tree.leaves(lrjax.cosine(1.0, steps=10))) + 2  # the piece's leaves and its boundary's two parts
    assert len(set(per_piece)) == 1 and per_piece[0] <= leaves, argument
    assert (argument[3] - argument[2]) / 35 <= leaves, argument


BAD = [
    (lambda: lrjax.join([lrjax.constant(1.0)] * 3, boundaries=[5]), r"join: boundaries must have 2 entries \(one fewer than schedules\), got 1"),
    (lambda: lrjax.join([lrjax.constant(1.0)] * 3, boundaries=[5, 2]), r"join: boundaries must be sorted in non-decreasing order, got \[5, 2\]"),
    (lambda: lrjax.join([lrjax.constant(1.0), -1.0], boundaries=[-5]), r"join: boundaries must be a finite number >= 0, got \[-5\]"),
    (lambda: lrjax.join([], boundaries=[]), r"join: schedules must be a non-empty sequence of schedules, got \[\]"),
    (lambda: lrjax.join([lambda t: t, 1.0], boundaries=[3]), r"join: schedules\[0\] must be an lrjax schedule or a number, got <function .*>; wrap a jittable function with lrjax\.from_fn"),
    (lambda: lrjax.warmup(lrjax.constant(1.0), steps=-1), r"warmup: steps must be a finite number >= 0, got -1"),
    (lambda: lrjax.warmup(lrjax.constant(1.0), steps=10, shape="sqrt"), r"warmup: shape must be one of 'linear', 'cosine', 'exponential', got 'sqrt'"),
    (lambda: lrjax.warmup(lrjax.constant(1.0), steps=10, shape="exponential"), r"warmup: init must be > 0 with shape='exponential', got init=0"),
    (lambda: lrjax.warmup(lrjax.constant(1.0), steps=10, prefix="yes"), r"warmup: prefix must be a Python bool .*, got 'yes'"),
    (lambda: lrjax.cooldown(lrjax.constant(1.0), steps=20, total_steps=10), r"cooldown: steps must be <= total_steps, got steps=20, total_steps=10"),
    (lambda: lrjax.cooldown(lrjax.constant(1.0), steps=5, total_steps=10, shape="exponential"), r"cooldown: end must be > 0 with shape='exponential', got end=0"),
    (lambda: lrjax.cycle(lrjax.constant(1.0), period=0), r"cycle: period must be a finite number > 0, got 0"),
    (lambda: lrjax.cycle(lrjax.constant(1.0), period=10, limit=0), r"cycle: limit must be a whole number >= 1, got 0"),
    (lambda: lrjax.cycle(lrjax.constant(1.0), period=10, limit=2.5), r"cycle: limit must be a whole number >= 1, got 2\.5"),
    (lambda: lrjax.cycle(lrjax.constant(1.0), period=10, factor=-0.5), r"cycle: factor must be a finite number >= 0, got -0.5"),
    (lambda: lrjax.restart(lrjax.constant(1.0), period=10, mult=0.5), r"restart: mult must be a finite number >= 1, got 0.5"),
    (lambda: lrjax.restart(lrjax.constant(1.0), period=-10), r"restart: period must be a finite number > 0, got -10"),
    (lambda: lrjax.clip(lrjax.constant(1.0), min=1.0, max=0.5), r"clip: min must be <= max, got min=1, max=0.5"),
    (lambda: lrjax.shift(lrjax.constant(1.0), steps=-3), r"shift: steps must be a finite number >= 0, got -3"),
    (lambda: lrjax.per_epoch(lrjax.constant(1.0), steps_per_epoch=0), r"per_epoch: steps_per_epoch must be a finite number > 0, got 0"),
    (lambda: lrjax.constant(1.0) / 0, r"divide: divisor must be a non-zero number, got 0"),
    (lambda: lrjax.constant(1.0) * "x", r"\*: right must be a number, got 'x'"),
    (lambda: lrjax.warmup_cosine(1.0, warmup_steps=100, total_steps=50), r"warmup_cosine: total_steps must be >= warmup_steps, got total_steps=50, warmup_steps=100"),
    (lambda: lrjax.warmup_inverse_sqrt(1.0, warmup_steps=0), r"warmup_inverse_sqrt: warmup_steps must be a finite number > 0, got 0"),
    (lambda: lrjax.sgdr(1.0, period=10, mult=0.9), r"sgdr: mult must be a finite number >= 1, got 0\.9"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m for _, m in BAD])
def test_concrete_bad_input_raises(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_algebra_with_numbers_and_schedules():
    s, u = lrjax.linear(1.0, 0.0, steps=10), lrjax.cosine(2.0, steps=10)
    t = jnp.arange(12)
    for built, expected in [
        (s * 3, 3 * s(t)), (3 * s, 3 * s(t)), (s / 4, s(t) / 4), (-s, -s(t)), (s + u, s(t) + u(t)),
        (s * u, s(t) * u(t)), (s + 1, s(t) + 1), (1 - s, 1 - s(t)), (s - u, s(t) - u(t)),
    ]:
        assert isinstance(built, lrjax.Schedule)
        np.testing.assert_allclose(built(t), expected, rtol=1e-6)


def test_clip_with_one_bound():
    s = lrjax.linear(1.0, 0.0, steps=10)
    np.testing.assert_allclose(lrjax.clip(s, min=0.3)(jnp.arange(11)), np.maximum(ref.linear(np.arange(11.0), 1, 0, 10), 0.3), rtol=1e-6)
    np.testing.assert_allclose(lrjax.clip(s, max=0.3)(jnp.arange(11)), np.minimum(ref.linear(np.arange(11.0), 1, 0, 10), 0.3), rtol=1e-6)
    assert jax.tree.structure(lrjax.clip(s, min=0.3)) != jax.tree.structure(lrjax.clip(s, max=0.3))


def test_combinators_nest_and_stay_pytrees():
    s = lrjax.cycle(lrjax.join([lrjax.warmup(lrjax.cosine(1.0, steps=40), steps=10), lrjax.constant(0.0)], boundaries=[50]), period=60)
    leaves, treedef = jax.tree.flatten(s)
    # a duration is two leaves (coarse, fine), and so is a factor (hi, lo):
    # cycle 4 (period 2, factor 2), join 2, warmup 3, cosine 5, constant 1
    assert len(leaves) == 15
    rebuilt = jax.tree.unflatten(treedef, [x * 2 for x in leaves])
    assert float(rebuilt(0)) == 0.0 and rebuilt.period.exact() == 120.0 and rebuilt.period.whole
