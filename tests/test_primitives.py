"""Every primitive against its float64 reference, under jit/no-jit/device,
vmap over steps and over every hyperparameter, grad, and without retracing."""

import collections
import functools
import inspect

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from absl.testing import parameterized

import lrjax
from lrjax._sweep import general

from .cases import BY_ID, CASES, numeric_params
from .helpers import INT_MAX

RTOL = 2e-5


def assert_close(actual, expected, rtol=RTOL):
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol, atol=1e-6 * scale)


#: Every case is evaluated at this many steps: its own (``case.all_steps``) topped up from
#: ``EXTRA_STEPS``. One shape for every case lets op-by-op (eager) evaluation reuse the
#: operations it compiled for earlier cases instead of compiling them again for each length.
N_STEPS = 32
EXTRA_STEPS = [4, 6, 7, 8, 12, 15, 20, 25, 33, 40, 64, 75, 128, 150, 200, 300, 500, 777, 2000, 12_345, 65_536, 123_457, 2**20 + 3]


def all_steps(case):
    """The case's steps plus extra ones from ``EXTRA_STEPS``: ``N_STEPS`` distinct sorted steps."""
    own = set(case.all_steps.tolist())
    extra = [s for s in EXTRA_STEPS if s not in own][: N_STEPS - len(own)]
    steps = np.array(sorted(own | set(extra)), dtype=np.int64)
    assert steps.shape == (N_STEPS,), case
    return steps


def steps_of(case):
    return jnp.asarray(all_steps(case), dtype=jnp.int32)


def batch_of(case, param):
    """Two values of ``param``: the case's (or the constructor default) and the alternative."""
    base = case.kwargs.get(param)
    if base is None:
        base = inspect.signature(case.make).parameters.get(param, inspect.Parameter("x", 1)).default
    if base is None or base is inspect.Parameter.empty:
        base = case.alt[param]
    return [base, case.alt[param]]


GRAD_CASES = [pytest.param(c, p, id=f"{c.id}-{p}") for c in CASES for p in c.grad]


#: Traces of the jitted functions below: their Python body runs once per trace.
TRACES = collections.Counter()


def _three_ways(schedule, t_int, t_float):
    """Integer steps, float steps and integer steps one by one under vmap: one compilation."""
    TRACES["three_ways"] += 1
    return schedule(t_int), schedule(t_float), jax.vmap(schedule)(t_int)


evaluate_three_ways = jax.jit(_three_ways)
# The general path (`lrjax._sweep.general`) gets a jitted function of its own: jit cannot compare
# a schedule's general structure with its specialized one in its cache: comparing the two
# treedefs raises ValueError (a PyTreeDef against None in their metadata; lrjax defect, reported).
evaluate_three_ways_general = jax.jit(lambda schedule, t_int, t_float: _three_ways(schedule, t_int, t_float))


def check_three_ways(evaluate, case, schedule, **overrides):
    """``schedule`` (``case`` built with ``overrides``) through ``evaluate`` against the reference."""
    steps = all_steps(case)
    exact_in_float = steps < 2**24
    t_int, t_float = steps_of(case), jnp.asarray(steps[exact_in_float], jnp.float32)
    as_int, as_float, one_by_one = evaluate(schedule, t_int, t_float)
    chex.assert_shape(as_int, steps.shape)
    chex.assert_type(as_int, jnp.float32)
    assert_close(as_int, case.expected(steps, **overrides))
    np.testing.assert_allclose(as_float, as_int[exact_in_float], rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(one_by_one, as_int)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_matches_reference_under_jit_for_int_float_and_vmapped_steps_and_new_values_do_not_retrace(case):
    """The jit variant: integer steps, float steps and vmapped steps in one compiled call.

    Then the alternative values go through the same compiled call without retracing.
    Where the alternative changes a kind of number the schedule decided on when built
    (a power of 1, a whole mult, a whole duration), both go through the general path,
    which `lrjax.stack` takes for such a pair: there the values change without retracing.
    """
    base, alt = case.build(), case.build(**case.alt)
    evaluate = evaluate_three_ways
    check_three_ways(evaluate, case, base)
    if jax.tree.structure(base) != jax.tree.structure(alt):
        base, alt = general([base, alt])
        assert jax.tree.structure(base) == jax.tree.structure(alt)
        evaluate = evaluate_three_ways_general
        check_three_ways(evaluate, case, base)
    traces = TRACES["three_ways"]
    check_three_ways(evaluate, case, alt, **case.alt)
    assert TRACES["three_ways"] == traces, "new hyperparameter values retraced"


class VariantsTest(chex.TestCase):
    """The variant without jit (op by op); the jit variant is the test above, which also covers float and vmapped steps."""

    @chex.variants(without_jit=True)
    @parameterized.named_parameters(*[(c.id, c) for c in CASES])
    def test_evaluates(self, case):
        evaluate = self.variant(lambda s, t: s(t))
        s = case.build()
        out = evaluate(s, steps_of(case))
        chex.assert_shape(out, all_steps(case).shape)
        chex.assert_type(out, jnp.float32)
        assert_close(out, case.expected(all_steps(case)))
        assert_close(evaluate(s, INT_MAX), case.expected([INT_MAX]))


def invalid_values(value):
    """Traced values no constructor would accept: negatives, zero, and (for vectors) reversed order."""
    v = np.asarray(value, dtype=np.float64)
    if v.ndim:
        return [-v, v * 0 - 1, v[::-1]]
    return [-3.0, 0.0]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_vmap_over_each_hyperparameter_and_over_stacked_schedules(case):
    """What fails in optax: the constructor itself runs on a batched tracer, one hyperparameter at a time.

    Each batch also holds values the constructor would reject if they were
    concrete; traced, they cannot be checked, and the output must stay finite
    (from_fn excepted: what its hyperparameters allow is up to its function).
    Then two schedules stacked leaf by leaf are evaluated under vmap. All of it
    goes into one jitted function: one compilation per case.
    """
    t = steps_of(case)
    valid = {param: batch_of(case, param) for param in numeric_params(case)}
    invalid = {param: [] if case.id == "from_fn" else invalid_values(values[0]) for param, values in valid.items()}
    batches = {param: jnp.asarray(valid[param] + invalid[param], jnp.float32) for param in valid}
    stacked = lrjax.stack([case.build(), case.build(**case.alt)])

    def each(batches, stacked):
        outs = {param: jax.vmap(lambda v, param=param: case.build(**{param: v})(t))(values) for param, values in batches.items()}
        return outs, jax.vmap(lambda s: s(t))(stacked)

    outs, both = jax.jit(each)(batches, stacked)
    for param, out in outs.items():
        for row, value in zip(out, valid[param]):
            assert_close(row, case.expected(all_steps(case), **{param: value}))
        for row, value in zip(out[len(valid[param]):], invalid[param]):
            assert np.all(np.isfinite(row)), f"traced {param}={value} gave {row}"
    assert_close(both[0], case.expected(all_steps(case)))
    assert_close(both[1], case.expected(all_steps(case), **case.alt))


def grad_base(case, param):
    return np.asarray(case.kwargs.get(param, case.alt[param]), dtype=np.float64)


@functools.cache
def grads_of(case_id):
    """The gradient at every step with respect to each of the case's ``grad``, one hyperparameter at a
    time (the others concrete), as separate computations in one compiled call per case: the
    parametrized tests below read it, and those of one case run next to each other."""
    case = BY_ID[case_id]

    def all_grads(bases, t):
        def value(v, step, param):
            return case.build(**{param: v})(step)

        return {param: jax.vmap(jax.grad(functools.partial(value, param=param)), in_axes=(None, 0))(v, t) for param, v in bases.items()}

    bases = {param: jnp.asarray(grad_base(case, param), jnp.float32) for param in case.grad}
    return jax.jit(all_grads)(bases, steps_of(case))


@pytest.mark.parametrize("case, param", GRAD_CASES)
def test_grad_is_finite_and_matches_finite_differences(case, param):
    base = grad_base(case, param)
    grads = grads_of(case.id)[param]
    assert np.all(np.isfinite(grads)), f"non-finite gradient at steps {all_steps(case)[~np.isfinite(grads).all(axis=tuple(range(1, grads.ndim)))]}"

    # Directional derivative of the float64 reference by central differences,
    # skipping kinks (where the one-sided differences disagree).
    direction = np.linspace(1.0, 0.5, base.size).reshape(base.shape)
    h = 1e-6 * max(1.0, float(np.max(np.abs(base))))
    f0 = case.expected(all_steps(case), **{param: _as_arg(base)})
    fp = case.expected(all_steps(case), **{param: _as_arg(base + h * direction)})
    fm = case.expected(all_steps(case), **{param: _as_arg(base - h * direction)})
    fd = (fp - fm) / (2 * h)
    # Smooth where the one-sided differences agree relative to their size (a kink, e.g. a clip
    # reached exactly at a step, makes them differ by a whole slope).
    smooth = np.abs((fp - f0) - (f0 - fm)) <= 1e-3 * (np.abs(fp - f0) + np.abs(f0 - fm)) + 1e-15
    ours = np.tensordot(np.asarray(grads, np.float64), direction, axes=base.ndim)
    np.testing.assert_allclose(ours[smooth], fd[smooth], rtol=2e-3, atol=2e-4)


def _as_arg(v):
    return v.tolist() if np.ndim(v) else float(v)


TARGET = jnp.array([1.0, -2.0, 0.5])
TRAIN_STEPS = 30


def _loss(p):
    return jnp.sum((p - TARGET) ** 2)


@jax.jit
def _train(learning_rate):
    """TRAIN_STEPS steps of adamw from zeros; ``learning_rate`` is a schedule or a table of per-count values."""
    schedule = learning_rate if callable(learning_rate) else (lambda count: learning_rate[count])
    optimizer = optax.adamw(schedule, weight_decay=1e-3)

    def step(carry, _):
        params, state = carry
        updates, state = optimizer.update(jax.grad(_loss)(params), state, params)
        return (optax.apply_updates(params, updates), state), None

    params = jnp.zeros(3)
    with jax.numpy_dtype_promotion("standard"):  # optax's own adam is not strict-clean
        (params, _), _ = jax.lax.scan(step, (params, optimizer.init(params)), length=TRAIN_STEPS)
    return params


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_trains_with_optax_adamw(case):
    """``optax.adamw(lrjax.X(...))`` uses the schedule's value at each count and trains.

    The expected run reads the reference's value for each count from a table
    (one compilation for every case)."""
    learning_rates = jnp.asarray(case.expected(np.arange(TRAIN_STEPS)), jnp.float32)
    ours, expected = _train(case.build()), _train(learning_rates)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)
    if np.all(learning_rates >= 0):
        assert _loss(ours) < _loss(jnp.zeros(3))


@pytest.mark.parametrize("kind", [lrjax.one_cycle, lrjax.one_cycle_momentum])
@pytest.mark.parametrize("steps, pct_start, three_phase", [(2**31 - 2, 1.0, False), (16_777_219, 1.0, False), (2**31 - 1, 0.5, True)])
def test_one_cycle_knots_stay_within_the_steps_when_rounded(kind, steps, pct_start, three_phase):
    # Found by tests/test_fuzz.py: pct_start * steps rounded in float32 put a knot past steps - 1,
    # and the schedule, accepted when built, raised "piecewise_linear: boundaries must be sorted" when called.
    s = kind(**({"peak": 1.0} if kind is lrjax.one_cycle else {}), steps=steps, pct_start=pct_start, three_phase=three_phase)
    t = jnp.array([0, steps - 2, steps - 1, INT_MAX], jnp.int32)
    v = np.asarray(s(t))
    np.testing.assert_array_equal(v, np.asarray(jax.jit(lambda s: s(t))(s)))
    end = float(s(0) / 1e4) if kind is lrjax.one_cycle else float(s(0))  # the value held from steps - 1
    assert np.all(np.isfinite(v)) and v[2] == v[3] == np.float32(end)


@pytest.mark.parametrize("make", [
    lambda f: lrjax.exponential(1.0, rate=f, steps=1),
    lambda f: lrjax.cycle(lrjax.constant(1.0), period=1, factor=f),
    lambda f: lrjax.sgdr(1.0, period=1, factor=f),
    lambda f: lrjax.cyclic(0.0, 1.0, up_steps=1, mode="exp_range", factor=f),
], ids=["exponential", "cycle", "sgdr", "cyclic"])
@pytest.mark.parametrize("rate", [1e-30, 1e-20, 1e-38])
def test_gradients_are_finite_for_tiny_rates_and_factors(make, rate):
    # Found by tests/test_fuzz.py: the correction for a rate's float64 residual divided by hi**2
    # in its gradient, which overflows below about 1e-19: NaN or -inf with respect to the rate.
    s = make(rate)
    for t in (jnp.array([0, 1, 2, 3, 100, INT_MAX], jnp.int32), jnp.array([0.5, 1.5, 1e6 + 0.25], jnp.float32)):
        for leaf in jax.tree.leaves(jax.grad(lambda s: jnp.sum(s(t)))(s)):
            assert np.all(np.isfinite(leaf)), (s, t, leaf)


def test_rates_held_to_float64_stay_finite_at_every_step():
    # Found by tests/test_fuzz.py: the correction for a rate's float64 residual overflowed where
    # hi ** e underflowed (step_decay(factor=0.9, steps=0.5) was NaN from step 2**31 - 200), and the
    # growth cap ignored the residual (rate=1.00000005, whose float32 hi is 1.0, gave inf).
    t = jnp.array([0, 10, 2**24, 2**31 - 200, INT_MAX], jnp.int32)
    decay = np.asarray(lrjax.step_decay(-570.8925, factor=0.9, steps=0.5)(t))
    assert np.all(np.isfinite(decay)) and decay[0] == np.float32(-570.8925) and decay[-1] == 0
    growth = np.asarray(lrjax.exponential(1.0, rate=1.00000005, steps=0.25)(t))
    assert np.all(np.isfinite(growth)) and growth[2] == pytest.approx(np.exp(4 * 2**24 * np.log1p(5e-8)), rel=1e-5)
    assert 1e19 < growth[-1] < 2e19  # the cap, as for any rate above 1
    assert float(lrjax.exponential(1.0, rate=0.99999997, steps=0.5)(2**24)) == pytest.approx(0.99999997 ** 2**25, rel=1e-5)


@pytest.mark.parametrize("kwargs", [dict(steps=10, pct_start=[0.3, 0.4]), dict(steps=[10, 20], pct_start=0.3),
                                    dict(steps=10, pct_start=[0.3, 0.5], three_phase=True)])
def test_one_cycle_with_one_argument_batched_is_each_member(kwargs):
    # Found by tests/test_fuzz.py: a batch of pct_start with one steps raised TypeError (knots of two ranks).
    for kind, extra in ((lrjax.one_cycle, {"peak": 5.0}), (lrjax.one_cycle_momentum, {})):
        batch = kind(**extra, **kwargs)
        t = jnp.arange(25)
        members = [kind(**extra, **{k: (v[i] if isinstance(v, list) else v) for k, v in kwargs.items()}) for i in range(2)]
        np.testing.assert_allclose(batch(t), np.stack([m(t) for m in members]), rtol=1e-6)
