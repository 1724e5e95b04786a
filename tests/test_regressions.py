"""One regression test per defect that random testing found in lrjax 0.1 (issue 12), numbered as there."""

import json
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lrjax
from lrjax._cli import main

from .helpers import assert_same_tree


def test_1_restart_with_a_large_whole_mult_has_finite_gradients():
    def value(period, mult):
        return lrjax.restart(lrjax.cosine(1.0, steps=10), period=period, mult=mult)(jnp.array([0, 5, 15, 10**6])).sum()

    for mult in (17.0, 1000.0):
        grads = jax.grad(value, argnums=(0, 1))(10.0, mult)
        assert all(np.isfinite(g) for g in grads), grads
    tree_grad = jax.grad(lambda s: s(jnp.array([0, 5, 10**6])).sum())(lrjax.restart(lrjax.cosine(1.0, steps=10), period=10, mult=1000.0))
    assert all(np.all(np.isfinite(leaf)) for leaf in jax.tree.leaves(tree_grad))


@pytest.mark.parametrize("make", [
    lambda: lrjax.cosine([], steps=10),
    lambda: lrjax.one_cycle([], steps=10),
    lambda: lrjax.one_cycle_momentum(steps=[]),
    lambda: lrjax.noise(seed=[]),
    lambda: lrjax.sgdr(1.0, period=[]),
    lambda: lrjax.plateau(patience=[]),
])
def test_2_an_empty_list_for_a_number_is_a_value_error(make):
    with pytest.raises(ValueError, match=r"must be a number, got an empty array"):
        make()


def test_2_arrays_of_mismatched_shapes_are_a_value_error():
    with pytest.raises(ValueError, match=r"batched arguments must have one batch shape, got init \(2,\), steps \(3,\)"):
        lrjax.cosine([1.0, 2.0], steps=[3, 4, 5])


def test_3_exponential_growth_from_a_huge_init_stays_finite():
    values = lrjax.exponential(1e30, rate=2.0, steps=1)(jnp.array([0, 100, 10**6]))
    assert np.all(np.isfinite(values)) and float(values[0]) == np.float32(1e30)


def _remainder(t: int, period: float) -> float:
    """``t mod period`` in exact rational arithmetic (the period as stored: a float32 pair)."""
    p = Fraction(period)
    return float(Fraction(t) - (Fraction(t) // p) * p)


@pytest.mark.parametrize("up, down", [(0.25, 257), (7.5, 5.0), (0.5, 100000.0), (1.0, 1e6 + 0.25), (1 / 3, 2.0)])
def test_4_a_fractional_cycle_length_evaluates_alike_eager_and_jitted_near_2_to_the_31(up, down):
    # 0.1 put the remainder of x - q * L in float32 (its product rounded eagerly, fused under jit):
    # cyclic(0, 1, up_steps=0.25, down_steps=257) at 2**31 - 2 was 0.979572 eager, 0.98054475 jitted.
    s = lrjax.cyclic(0.0, 1.0, up_steps=up, down_steps=down)
    t = np.array([2**31 - 2, 2**31 - 1, 10**9 + 7, 2**24 + 1, 16_777_259, 123_457, 3], np.int64)
    u, d = float(s.up_steps.exact()), float(s.down_steps.exact())
    period = float((s.up_steps + s.down_steps).exact())  # as the schedule holds it: 1/3 + 2 rounds in float32
    position = np.array([_remainder(int(x), period) for x in t])
    expected = np.where(position <= u, position / u, (period - position) / d)
    eager, jitted = np.asarray(s(jnp.asarray(t, jnp.int32))), np.asarray(jax.jit(s)(jnp.asarray(t, jnp.int32)))
    np.testing.assert_array_equal(eager, jitted)
    np.testing.assert_allclose(eager, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("period", [1.5, 2.5, 0.75, 100000.5, 12345.678])
def test_4_restart_with_a_fractional_period_is_exact_at_every_scale(period):
    s = lrjax.restart(lrjax.linear(1.0, 0.0, steps=period), period=period)
    length = float(s.period.exact())
    t = np.concatenate([[0, 1, 2**24 - 1, 2**24 + 1, 2**31 - 2, 2**31 - 1], np.random.default_rng(0).integers(0, 2**31 - 1, 200)])
    expected = 1 - np.array([_remainder(int(x), length) for x in t]) / float(s.schedule.steps.exact())
    eager, jitted = np.asarray(s(jnp.asarray(t, jnp.int32))), np.asarray(jax.jit(s)(jnp.asarray(t, jnp.int32)))
    np.testing.assert_array_equal(eager, jitted)
    np.testing.assert_allclose(eager, expected, rtol=1e-6, atol=2e-7)


@pytest.mark.parametrize("make, x", [
    (lambda p: lrjax.restart(lrjax.linear(1.0, 0.0, steps=10), period=p), 10.0),  # whole: was 0, not -q / p**2 ...
    (lambda p: lrjax.restart(lrjax.linear(1.0, 0.0, steps=10), period=p), 10.5),
    (lambda p: lrjax.restart(lrjax.linear(1.0, 0.0, steps=10), period=p, mult=2.0), 10.0),
    (lambda p: lrjax.cyclic(0.0, 1.0, up_steps=p, down_steps=5), 5.5),
    (lambda p: lrjax.per_epoch(lrjax.linear(1.0, 0.0, steps=100), steps_per_epoch=p), 7.5),
])
def test_4_the_remainder_is_differentiable_in_the_period(make, x):
    # Found with the fix above: the remainder computed in integers carried no derivative in the period.
    t = jnp.array([3, 25, 47, 1001])
    grads = jax.vmap(lambda step: jax.grad(lambda p: make(p)(step))(x))(t)
    h = 1e-3
    fd = (np.asarray(make(x + h)(t), np.float64) - np.asarray(make(x - h)(t), np.float64)) / (2 * h)
    np.testing.assert_allclose(grads, fd, rtol=2e-2, atol=2e-3)


@pytest.mark.parametrize("mult", [1, 2, 3])
def test_4_derivatives_in_a_whole_period_and_mult_held_as_leaves(mult):
    # With concrete whole durations the cycle is found in integers (the periodic and tabulated
    # paths): the derivative with respect to the tree's leaves must still be the float64 one.
    t = jnp.array([3, 25, 47, 1001])
    s = lrjax.restart(lrjax.linear(1.0, 0.0, steps=10), period=10, mult=mult)
    g = jax.vmap(lambda step: jax.grad(lambda s: s(step))(s))(t)

    def reference(period, m):
        x, start, length = np.asarray(t, np.float64), np.zeros(len(t)), np.full(len(t), period)
        while np.any(later := x >= start + length):
            start, length = np.where(later, start + length, start), np.where(later, length * m, length)
        return 1 - (x - start) * period / length / 10

    h = 1e-4
    np.testing.assert_allclose(g.period.fine, (reference(10 + h, mult) - reference(10 - h, mult)) / (2 * h), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(g.period.coarse, g.period.fine)
    if mult > 1:
        np.testing.assert_allclose(g.mult.hi, (reference(10, mult + h) - reference(10, mult - h)) / (2 * h), rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose(g.mult.lo, g.mult.hi)


CONFIG = {"format": "lrjax", "version": 2}


@pytest.mark.parametrize("config, message", [
    ({**CONFIG, "schedule": {"type": ["cosine"]}}, r"type must be a string"),
    ({**CONFIG, "schedule": {"type": {"a": 1}}}, r"type must be a string"),
    ({**CONFIG, "batch_shape": [5], "schedule": {"type": "constant", "value": [1.0, 2.0]}}, r"batch_shape is \[5\]"),
    ({**CONFIG, "batch_shape": [1], "schedule": {"type": "constant", "value": []}}, r"got an empty array"),
    ({**CONFIG, "batch_shape": [2], "schedule": {"type": "constant", "value": [1.0, None]}}, r"must be a number"),
    ({**CONFIG, "batch_shape": [10**40], "schedule": {"type": "constant", "value": 1.0}}, r"batch_shape is"),
])
def test_5_and_6_malformed_configs_are_one_value_error(config, message):
    with pytest.raises(ValueError, match=message):
        lrjax.from_config(config)


def test_6_a_large_batched_config_is_built_at_once():
    n = 20_000
    config = {**CONFIG, "batch_shape": [n], "schedule": {"type": "linear", "init": [1.0] * n, "end": 0.0, "steps": [100] * n}}
    assert lrjax.from_config(config)(50).shape == (n,)


@pytest.mark.parametrize("make", [lambda: lrjax.cosine(1j, steps=10), lambda: lrjax.plateau(factor=1j)])
def test_7_a_complex_number_is_a_value_error(make):
    with pytest.raises(ValueError, match=r"must be a real number, got 1j"):
        make()


def test_8_batched_leaves_of_different_lengths_are_rejected_when_parsed():
    with pytest.raises(ValueError, match=r"batched arguments must have one batch shape"):
        lrjax.parse("cosine([1, 2], steps=[3, 4, 5])")


def test_9_a_stacked_one_cycle_is_callable_directly_and_through_values():
    s = lrjax.stack([lrjax.one_cycle(1.0, steps=100), lrjax.one_cycle(2.0, steps=50)])
    direct = s(jnp.array([0, 29, 99]))
    np.testing.assert_allclose(direct, [[0.04, 1.0, 4e-6], [0.08, lrjax.one_cycle(2.0, steps=50)(29), 8e-6]], rtol=1e-5)
    np.testing.assert_allclose(lrjax.values(s, 99)[:, [0, 29, 99]], direct, rtol=1e-6)


def _command(capsys, *argv):
    """``lrjax ARGV`` in this process: (exit status, stderr)."""
    try:
        status = main(list(argv))
    except SystemExit as e:
        status = e.code
    return status, capsys.readouterr().err


def test_5_9_10_12_the_command_answers_bad_input_with_one_line_and_status_2(tmp_path, capsys):
    bad_type = tmp_path / "bad.json"
    bad_type.write_text(json.dumps({**CONFIG, "schedule": {"type": ["cosine"]}}))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format": "lrjax\xff"}')
    stacked = tmp_path / "stacked.json"
    stacked.write_text(json.dumps(lrjax.to_config(lrjax.stack([lrjax.one_cycle(1.0, steps=100), lrjax.one_cycle(2.0, steps=50)]))))
    cases = [
        ([str(bad_type)], "type must be a string"),
        ([str(deep)], "nested too deeply"),
        ([str(latin)], f"{latin} is not UTF-8 text"),
        ([str(stacked)], "is a batch of (2,) schedules"),
        (["cosine(1, steps=10)", "--steps", "abc"], "argument --steps: must be an int in [1, 2147483647], got 'abc'"),
        (["cosine(1, steps=9223372036854775807 * 9)"], "number too large"),
    ]
    for argv, message in cases:
        status, err = _command(capsys, "show", *argv)
        assert status == 2 and err.count("\n") == 1 and message in err, (argv, err)


def test_11_bad_options_print_one_line(capsys):
    status, err = _command(capsys, "show", "--bogus", "x")
    assert status == 2 and err.count("\n") == 1 and "unrecognized arguments: --bogus" in err


@pytest.mark.parametrize("mult", [1, 2])
def test_4_a_whole_period_beyond_the_integers_never_restarts(mult):
    # Found with the fix above: a whole period of 2**31 or more acted as 1 (a restart at every step).
    s = lrjax.restart(lrjax.linear(1.0, 0.0, steps=3e9), period=3_000_000_000, mult=mult)
    t = np.array([0, 5, 2**31 - 1])
    np.testing.assert_allclose(s(jnp.asarray(t, jnp.int32)), 1 - t / 3e9, rtol=1e-6)


def test_4_a_mult_beyond_the_integers_restarts_once():
    # A mult of 2**31 (float32's rounding of 2**31 - 1) was replaced by 2.
    s = lrjax.restart(lrjax.linear(1.0, 0.0, steps=10), period=10, mult=2**31)
    t = np.array([0, 5, 10, 11, 2**31 - 1])
    expected = np.where(t < 10, 1 - t / 10, 1 - (t - 10) / (10 * 2.0**31))
    np.testing.assert_allclose(s(jnp.asarray(t, jnp.int32)), expected, rtol=1e-6)


def test_a_jitted_function_takes_a_preset_and_its_general_form_in_turn():
    # Found by the suite's merged no-retrace test: a preset's decided structure (a PyTreeDef) compared
    # with the general one (None) raised "Exception raised while checking equality of metadata fields".
    f = jax.jit(lambda s, t: s(t))
    a = lrjax.cycle(lrjax.join([lrjax.linear(0.0, 1.0, steps=10), lrjax.cosine(1.0, steps=40)], boundaries=[10]), period=50, factor=0.8)
    b = lrjax.cycle(lrjax.join([lrjax.linear(0.0, 1.0, steps=3), lrjax.cosine(1.0, steps=14)], boundaries=[3]), period=17, factor=1.0)
    from lrjax._sweep import general

    general_a, _ = general([a, b])  # what stack starts from: the general structure (`factor` is 1 in b only)
    np.testing.assert_allclose([f(a, 3), f(general_a, 3), f(a, 53), f(general_a, 53)], [0.3, 0.3, 0.24, 0.24], rtol=1e-6)


@pytest.mark.parametrize("text, message", [
    ("cosine(1e-3, stepz=1000)", r"cosine: no argument named 'stepz' \(did you mean 'steps'\?\)"),
    ("cosine(1e-3, foo=1)", r"cosine: no argument named 'foo'; it takes init, end, steps, power"),
    ("cosine(1e-3, 1000)", r"missing a required argument: 'steps' \(durations, rates and options are keyword-only: steps=\.\.\.\)"),
])
def test_12_a_misspelled_or_positional_argument_is_named(text, message):
    # Found by a newcomer: a misspelled keyword reported only the argument it left missing.
    with pytest.raises(ValueError, match=message):
        lrjax.parse(text)


@pytest.mark.parametrize("period", [1000 / 3, 100 / 7, 0.7 * 3, 12345.678, 2**24 + 0.1])
def test_14_a_fractional_period_keeps_the_digits_of_the_float_given(period):
    # A fractional duration kept float32's digits only (its fine part, about 2**-17 steps): at step 2**31 - 1
    # the phase of a 1000/3-step cycle was 16 steps off the float64 period's.
    s = lrjax.restart(lrjax.linear(0.0, 1.0, steps=period), period=period)
    stored = sum(Fraction(float(x)) for x in s.period.parts())
    assert abs(stored - Fraction(period)) <= Fraction(period) * 2**-46
    # Every 3rd (7th) period of 1000/3 (100/7) ends within rounding of a whole step: the restart is there.
    t = np.concatenate([[0, 1, 2**24 + 1, 2**31 - 1], np.arange(1, 200) * 1000, np.random.default_rng(1).integers(0, 2**31 - 1, 100)])
    expected = np.array([float(Fraction(int(x)) % stored / stored) for x in t])
    eager = np.asarray(s(jnp.asarray(t, jnp.int32)))
    closed, passed = np.asarray(jax.jit(s)(jnp.asarray(t, jnp.int32))), np.asarray(jax.jit(lambda s, t: s(t))(s, jnp.asarray(t, jnp.int32)))
    np.testing.assert_array_equal(eager, closed)
    np.testing.assert_allclose(passed, eager, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(eager, expected, rtol=1e-6, atol=1e-7)


def test_14_durations_subtract_exactly_when_fine_parts_carry():
    # x1 - x0 moved a multiple of 256 between the parts in one rounding, losing 2**-17 steps.
    a, b = 256 + 102 - 2**-17, 179 - 2**-16
    d = lrjax.Duration.of(a) - lrjax.Duration.of(b)
    traced = jax.jit(lambda x, y: x - y)(lrjax.Duration.of(a), lrjax.Duration.of(b))
    assert d.exact() == traced.exact() == a - b


def test_14_one_cycle_knots_computed_from_traced_leaves_are_torchs():
    # A one_cycle passed to a jitted function computes its knots from traced leaves: float32's
    # 0.3 * 100 put the second knot 2.4e-6 steps late (3e-6 relative at step 58).
    from . import reference as ref

    s = lrjax.one_cycle(1.0, steps=100, pct_start=0.3, shape="linear", three_phase=True)
    t = np.arange(101)
    ours = jax.jit(lambda s, t: s(t))(s, jnp.asarray(t, jnp.int32))
    expected = ref.one_cycle(t.astype(np.float64), 1.0, 100, 0.3, shape="linear", three_phase=True)
    np.testing.assert_allclose(ours, expected, rtol=3e-7)


def test_14_a_tree_of_placeholders_keeps_a_fractional_durations_structure():
    # orbax maps a state to a tree of None (one per leaf) and walks both together.
    s = lrjax.cycle(lrjax.cosine(1.0, steps=1000 / 3), period=1000 / 3)
    placeholders = jax.tree.map(lambda x: None, s)
    walked = jax.tree_util.tree_map_with_path(lambda path, x, arg: x, s, placeholders)
    assert_same_tree(walked, s)
    assert len(jax.tree.leaves(s)) == 11  # init, end, power, the factor's two parts, and each duration's three


@pytest.mark.parametrize("period, mult", [(1, 3), (2, 3), (1, 5), (3, 10)])
def test_14_a_whole_mult_keeps_the_distance_to_each_cycles_end(period, mult):
    # A cycle stretched by mult**k handed its child the position rounded to float32: near the end of a
    # short cycle, 1 - position lost its digits (3e-6 relative at 1e-3 of the peak).
    s = lrjax.restart(lrjax.cosine(1.0, steps=period), period=period, mult=mult)
    t = np.arange(10**6)
    starts = np.cumsum([0] + [period * mult**k for k in range(40)], dtype=np.float64)
    k = np.searchsorted(starts, t, side="right") - 1
    expected = 0.5 * (1 + np.cos(np.pi * (t - starts[k]) / (period * float(mult) ** k)))
    ours = np.asarray(jax.jit(lambda s, t: s(t))(s, jnp.asarray(t, jnp.int32)), np.float64)
    counted = expected >= 1e-3
    np.testing.assert_allclose(ours[counted], expected[counted], rtol=1e-6)


def test_14_tanh_keeps_its_digits_near_its_end():
    # x = lower + (upper - lower) * f cancelled near f = 1 (2e-6 relative at step 485 of timm's tanh over 504).
    s = lrjax.tanh(1.0, steps=504)
    t = np.arange(505)
    f = t / 504
    expected = 0.5 * (1 - np.tanh(-7 + 10 * f))
    ours = np.asarray(jax.jit(lambda s, t: s(t))(s, jnp.asarray(t, jnp.int32)), np.float64)
    counted = expected >= 1e-3
    np.testing.assert_allclose(ours[counted], expected[counted], rtol=1e-6)


def test_14_a_rise_a_rounding_short_of_one_step_starts_at_the_peak():
    # Found by the long fuzz run: pct_start * steps = 0.9999999999999998 (allowed: within rounding of 1) put the
    # first knot at -2.2e-16 once knots kept float64's digits, and piecewise_linear rejected it.
    s = lrjax.one_cycle(1.0, steps=10, pct_start=0.09999999999999998, shape="linear")
    assert s.compose().boundaries.exact().tolist() == [0, 0, 9]
    np.testing.assert_allclose([s(0), jax.jit(lambda s: s(0))(s)], [1.0, 1.0])


def test_14_a_fractional_mult_restarts_on_the_step_float64_says():
    # float32 binary powering of float32(1.1) put the start of cycle 116 (step 633205.41) past step 633207:
    # there it gave the end of the previous cycle (5.5e-12) instead of nearly the peak.
    s = lrjax.restart(lrjax.cosine(1.0, steps=1), period=1, mult=1.1)
    starts = np.cumsum([0.0] + [1.1**k for k in range(200)])
    t = np.array([633204, 633205, 633206, 633207, 633208])
    k = np.searchsorted(starts, t, side="right") - 1
    assert k.tolist() == [115, 115, 116, 116, 116]
    expected = 0.5 * (1 + np.cos(np.pi * (t - starts[k]) / 1.1**k))
    for ours in (s(jnp.asarray(t)), jax.jit(s)(jnp.asarray(t)), jax.jit(lambda s, t: s(t))(s, jnp.asarray(t))):
        np.testing.assert_allclose(ours, expected, rtol=1e-6)


@pytest.mark.parametrize("mult", [1.0001, 1.00001])
def test_14_a_mult_near_1_keeps_the_digits_of_its_excess(mult):
    # A mult held to 48 bits (two float32 leaves) lost the last bits of mult - 1, which the cycle
    # starts amplify by 1 / (mult - 1)**2: 8e-6 relative at 1.0001 and 6.5e-4 at 1.00001 by step 1e6.
    s = lrjax.restart(lrjax.cosine(1.0, steps=1), period=1, mult=mult)
    assert s.mult.offset == 1 and s.mult.exact() == mult and repr(s).endswith(f"mult={mult})")
    stored = sum(Fraction(float(x)) for x in s.mult.parts())
    assert abs(stored - (Fraction(mult) - 1)) <= (Fraction(mult) - 1) * 2**-46
    d = mult - 1
    t = np.arange(900_000, 1_000_000, 7)
    x = np.log1p(t * d) / np.log1p(d)  # the cycle's coordinate: i + the position within it, in float64
    k = np.floor(x)
    start = np.expm1(k * np.log1p(d)) / d
    expected = 0.5 * (1 + np.cos(np.pi * (t - start) / np.exp(k * np.log1p(d))))
    ours = np.asarray(jax.jit(lambda s, t: s(t))(s, jnp.asarray(t, jnp.int32)), np.float64)
    counted = expected >= 1e-3
    np.testing.assert_allclose(ours[counted], expected[counted], rtol=1e-6)


def test_14_a_huge_mult_and_period_give_the_same_cycle_eagerly_and_jitted():
    # Eagerly, t * (mult - 1) / period overflowed float32 (2e39) and the cycle estimate went to 2**30.
    s = lrjax.restart(lrjax.cosine(1.0, steps=1e9 + 0.5), period=1e9 + 0.5, mult=1e30, factor=0.5)
    t = jnp.asarray([0, 2**31 - 2], jnp.int32)  # the start of cycle 0, and cycle 1 (which starts at 1e9 + 0.5)
    for ours in (s(t), jax.jit(s)(t), jax.jit(lambda s, t: s(t))(s, t)):
        np.testing.assert_allclose(ours, [1.0, 0.5], rtol=1e-6)


@pytest.mark.parametrize("mult, period, path", [
    (1 + 1e-7, 1.0, "re-estimated"), (1 + 1e-8, 0.5, "re-estimated"), (1 + 1e-9, 3.0, "re-estimated"), (1.00001, 1.0, "estimated"),
])
def test_14_beyond_a_million_cycles_the_estimate_is_corrected_again(mult, period, path):
    # The float estimate of the cycle index is off by more than one cycle beyond about 1e6 cycles: the step was
    # placed at the start (or end) of a neighbouring cycle. Where that many cycles can start below 2**31, the
    # cycle is estimated again from the nearby start; mult 1.00001 reaches 1e6 cycles there with one estimate.
    from decimal import Decimal, getcontext

    getcontext().prec = 60
    d, p = Decimal(mult) - 1, Decimal(period)
    log_mult = (1 + d).ln()
    t = [10**6, 10**7, 10**8, 2**31 - 1]
    expected = []
    for step in t:
        k = int((1 + step * d / p).ln() / log_mult)  # within a cycle of the truth at this precision
        for i in (k - 1, k, k + 1):
            start, length = p * ((i * log_mult).exp() - 1) / d, p * (i * log_mult).exp()
            if start <= step < start + length:
                expected.append(float((step - start) / length))
    s = lrjax.restart(lrjax.linear(0.0, 1.0, steps=period), period=period, mult=mult)
    assert s.path == path
    ours = jax.jit(lambda s, t: s(t))(s, jnp.asarray(t, jnp.int32))
    np.testing.assert_allclose(ours, expected, atol=1e-5)  # starts near 2**31 hold about 46 bits: 3e-5 steps


def test_a_one_knot_piecewise_linear_computes_on_in_jax():
    # Found by a long fuzz run: a one-knot piecewise_linear returned its NumPy leaf, so a product of two
    # evaluated eagerly in NumPy, which warns on float32 overflow (an error under -W error) where JAX gives inf.
    s = lrjax.parse("(piecewise_linear(values=[1e+20], boundaries=[0]) * piecewise_linear(values=[1e+20], boundaries=[3]))")
    np.testing.assert_array_equal(s(jnp.asarray([0, 7])), [np.inf, np.inf])
    assert isinstance(lrjax.piecewise_linear([2.0], boundaries=[0])(5), jax.Array)


@pytest.mark.parametrize("period, mult, step", [(100.5, 1.00001, 532), (100.5, 1.00001, 2050), (3, 1.0001, 61), (1, 1.00001, 999_000),
                                                (10.5, 1.5, 100)])
def test_14_the_derivative_in_a_mult_near_1_keeps_its_digits(period, mult, step):
    # Found by a newcomer: the derivative formula took (mult**i - 1) / (mult - 1) in float32 from a rounded mult:
    # 26.86 instead of 14.35 at mult 1.00001 (87% off). Expected: the exact derivative, at 50 digits.
    from decimal import Decimal, getcontext

    getcontext().prec = 50

    def position(m):
        d, p, t = m - 1, Decimal(period), Decimal(step)
        k = int((1 + t * d / p).ln() / (1 + d).ln())
        for i in (k - 1, k, k + 1):
            start, length = p * ((1 + d) ** i - 1) / d, p * (1 + d) ** i
            if start <= t < start + length:
                return (t - start) / length

    h = Decimal("1e-20")
    x = float(position(Decimal(mult)))
    dx = float((position(Decimal(mult) + h) - position(Decimal(mult) - h)) / (2 * h))
    expected = -0.5 * np.pi * np.sin(np.pi * x) * dx  # d/dmult of (1 + cos(pi x)) / 2
    s = lrjax.restart(lrjax.cosine(1.0, steps=period), period=period, mult=mult)
    g = jax.jit(jax.grad(lambda s, t: s(t)))(s, jnp.int32(step))
    np.testing.assert_allclose([g.mult.hi, g.mult.lo], [expected, expected], rtol=2e-5)


@pytest.mark.parametrize("warmup, total", [(100, 100), (200, 100), (99.5, 100), (10, 110), (0, 50)])
def test_14_transformers_linear_warmup_as_long_as_training(warmup, total):
    # Found by a newcomer: with num_warmup_steps >= num_training_steps the warmup rose to the decay's start, 0,
    # so the schedule was 0 throughout; transformers rises to base_lr over the warmup, then gives 0.
    from lrjax.compat import transformers

    t = np.arange(0, 260)
    expected = [x / max(1, warmup) if x < warmup else max(0.0, (total - x) / max(1, total - warmup)) for x in t]
    s = transformers.get_linear_schedule_with_warmup(1.0, warmup, total)
    traced = jax.jit(lambda w, n: transformers.get_linear_schedule_with_warmup(1.0, w, n)(jnp.asarray(t)))(float(warmup), float(total))
    for ours in (s(jnp.asarray(t)), traced):
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("build, message", [
    (lambda c: c.timm.CosineLRScheduler(1.0, t_initial=100, cycle_mul=0.5), r"^CosineLRScheduler: cycle_mul must be .* >= 1, got 0.5"),
    (lambda c: c.timm.TanhLRScheduler(1.0, t_initial=100, cycle_mul=0.9), r"^TanhLRScheduler: cycle_mul must be .* >= 1, got 0.9"),
    (lambda c: c.keras.CosineDecayRestarts(1.0, 10, t_mul=0.5), r"^CosineDecayRestarts: t_mul must be .* >= 1, got 0.5"),
    (lambda c: c.transformers.get_linear_schedule_with_warmup(1.0, -1, 100), r"^get_linear_schedule_with_warmup: num_warmup_steps must be"),
    (lambda c: c.transformers.get_constant_schedule_with_warmup(1.0, -1), r"^get_constant_schedule_with_warmup: num_warmup_steps must be"),
])
def test_compat_errors_name_the_peers_argument(build, message):
    # Found by a newcomer: these named lrjax's own restart(mult=...) or warmup(steps=...) instead.
    from lrjax import compat

    with pytest.raises(ValueError, match=message):
        build(compat)


@pytest.mark.parametrize("kind", ["cosine", "polynomial"])
def test_11_the_derivative_in_a_power_of_one_is_kept(kind):
    """power=1 skips the power when built; its derivative in power is still d w**p / dp = w log w (it was 0)."""
    make = getattr(lrjax, kind)
    s = make(2.0, 0.5, steps=1000)
    t = np.array([1.0, 370.0, 999.0])
    f = t / 1000
    w = 0.5 * (1 + np.cos(np.pi * f)) if kind == "cosine" else 1 - f  # the weight of init, float64
    expected = (2.0 - 0.5) * w * np.log(w)  # d/dp of (init - end) w**p + end at p = 1
    grads = [float(jax.grad(lambda s, t=step: s(jnp.int32(t)))(s).power) for step in t]
    np.testing.assert_allclose(grads, expected, rtol=2e-4)
    # Derivatives in the other leaves are those of the plain curve: d/dinit = w.
    np.testing.assert_allclose([float(jax.grad(lambda s, t=step: s(jnp.int32(t)))(s).init) for step in t], w, rtol=1e-5)


def test_11_the_derivative_in_a_factor_of_one_is_kept():
    """factor=1 computes no factor**i when built; its derivative in factor is still i * value (it was 0)."""
    s = lrjax.restart(lrjax.linear(1.0, 0.0, steps=10), period=10)
    for step, cycle in ((5, 0), (25, 2), (1003, 100)):
        value = 1.0 - (step % 10) / 10
        grad = jax.grad(lambda s, t=step: s(jnp.int32(t)))(s)
        np.testing.assert_allclose(float(grad.factor.hi), cycle * value, rtol=1e-6)


def test_11_the_half_cosine_differentiates_at_its_midpoint():
    """The half-cosine's one sine is of the smaller fraction; where both are 0.5 the derivative is that of one of
    them (a minimum of the two averaged +1/steps and -1/steps into 0)."""
    c = lrjax.cosine(1.0, steps=10)
    np.testing.assert_allclose(float(jax.grad(lambda t: c(t))(5.0)), -np.pi / 20, rtol=1e-6)
    # d/dsteps of (1 + cos(pi t / steps)) / 2 at t = 5 = steps / 2: sin(pi / 2) * pi * t / steps**2 / 2
    assert np.isclose(float(jax.grad(lambda s: s(jnp.int32(5)))(c).steps.fine), np.pi * 5 / 100 / 2, rtol=1e-6)


@pytest.mark.parametrize("step", [3, 25, 57, 1003])
def test_11_the_derivative_in_a_mult_of_one_is_the_right_derivative(step):
    """mult=1 takes the periodic path; its derivative in mult is that of cycles growing from mult = 1 (it was 0):
    cycle i starts at period * (1 + mult + ... + mult**(i-1)) and is stretched by mult**i."""
    period = 10.0
    s = lrjax.restart(lrjax.cosine(1.0, steps=10), period=period, mult=1.0)
    i, x = divmod(step, period)
    d_position = -(period * i * (i - 1) / 2 + x * i)
    d_child = -0.5 * np.sin(np.pi * x / period) * np.pi / period
    np.testing.assert_allclose(float(jax.grad(lambda s: s(jnp.int32(step)))(s).mult.hi), d_child * d_position, rtol=1e-5, atol=1e-6)
