"""Property tests: over random valid hyperparameters and steps (negative to
2**31 - 1), every value is finite and stays within the range spanned by the
schedule's own init/peak/end/values."""

import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lrjax

from .helpers import INT_MAX, evaluate

values = st.floats(-10.0, 10.0, allow_nan=False, width=32)
positive = st.floats(1 / 1024, 10.0, width=32)
durations = st.integers(0, 10**6)
periods = st.integers(1, 10**6)
steps = st.lists(st.one_of(st.integers(-10, 2000), st.integers(-(2**31), INT_MAX)), min_size=1, max_size=16)
sorted_durations = st.lists(st.integers(0, 10**6), min_size=1, max_size=4).map(sorted)


def check(schedule, t, low, high):
    out = np.asarray(evaluate(schedule, jnp.asarray(t, jnp.int32)), np.float64)
    assert np.all(np.isfinite(out)), out
    slack = 1e-5 * max(1.0, abs(low), abs(high))
    assert np.all(out >= low - slack) and np.all(out <= high + slack), (out, low, high)


def between(*xs):
    return min(xs), max(xs)


@st.composite
def anneals(draw):
    init, end, n = draw(values), draw(values), draw(durations)
    kind = draw(st.sampled_from(["linear", "polynomial", "cosine", "tanh"]))
    if kind == "linear":
        return lrjax.linear(init, end, steps=n), between(init, end)
    if kind == "polynomial":
        return lrjax.polynomial(init, end, steps=n, power=draw(st.floats(0.1, 5.0))), between(init, end)
    if kind == "cosine":
        return lrjax.cosine(init, end, steps=n, power=draw(st.floats(0.1, 5.0))), between(init, end)
    return lrjax.tanh(init, end, steps=n), between(init, end)


@st.composite
def decays(draw):
    init = draw(positive)
    kind = draw(st.sampled_from(["exponential", "inverse_time", "inverse_sqrt", "step_decay", "multistep"]))
    if kind == "exponential":
        rate = draw(st.floats(0.0, 0.999))  # 0.2: rate = 0 is valid
        end = draw(st.one_of(st.none(), st.floats(0.0, 1.0).map(lambda f: f * init)))
        s = lrjax.exponential(init, rate=rate, steps=draw(periods), staircase=draw(st.booleans()))
        if end is not None:  # 0.2: a floor is a clip
            s = lrjax.clip(s, min=end)
        return s, (0.0 if end is None else end, init)
    if kind == "inverse_time":
        s = lrjax.inverse_time(init, rate=draw(st.floats(0.0, 100.0)), steps=draw(periods), staircase=draw(st.booleans()))
        return s, (0.0, init)
    if kind == "inverse_sqrt":
        return lrjax.inverse_sqrt(init, steps=draw(periods)), (0.0, init)
    factor = draw(st.floats(0.0, 1.0))
    if kind == "step_decay":
        return lrjax.step_decay(init, factor=factor, steps=draw(periods)), (0.0, init)
    return lrjax.multistep(init, boundaries=draw(sorted_durations), factor=factor), (0.0, init)


@st.composite
def growths(draw):
    init = draw(positive)
    end = init * draw(st.floats(1.0, 1e6))
    s = lrjax.exponential(init, rate=draw(st.floats(1.001, 10.0)), steps=draw(periods), staircase=draw(st.booleans()))
    return lrjax.clip(s, max=end), (init, end)  # 0.2: a ceiling is a clip


@st.composite
def piecewise(draw):
    boundaries = draw(sorted_durations)
    if draw(st.booleans()):
        vs = draw(st.lists(values, min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
        return lrjax.piecewise_constant(vs, boundaries=boundaries), between(*vs)
    vs = draw(st.lists(values, min_size=len(boundaries), max_size=len(boundaries)))
    shape = draw(st.sampled_from(["linear", "cosine"]))
    return lrjax.piecewise_linear(vs, boundaries=boundaries, shape=shape), between(*vs)


@st.composite
def cyclicals(draw):
    kind = draw(st.sampled_from(["one_cycle", "one_cycle_momentum", "cyclic", "wsd"]))
    shape = draw(st.sampled_from(["cosine", "linear"]))
    three = draw(st.booleans())
    if kind in ("one_cycle", "one_cycle_momentum"):
        n = draw(st.integers(4, 10**6))
        pct = draw(st.floats(max(1.0 / n, 0.01), 0.5))
        if kind == "one_cycle":
            peak, div, final = draw(positive), draw(st.floats(1.0, 1e3)), draw(st.floats(1.0, 1e5))
            s = lrjax.one_cycle(peak, steps=n, pct_start=pct, div=div, final_div=final, shape=shape, three_phase=three)
            return s, (peak / div / final, peak)
        low, high = sorted([draw(values), draw(values)])
        s = lrjax.one_cycle_momentum(steps=n, low=low, high=high, pct_start=pct, shape=shape, three_phase=three)
        return s, (low, high)
    if kind == "cyclic":
        low, high = sorted([draw(values), draw(values)])
        mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
        s = lrjax.cyclic(low, high, up_steps=draw(periods), down_steps=draw(periods), mode=mode, factor=draw(st.floats(0.5, 1.0)))
        return s, (low, high)
    init, peak, end = draw(values), draw(values), draw(values)
    s = lrjax.wsd(peak, warmup_steps=draw(durations), stable_steps=draw(durations), decay_steps=draw(durations),
                  init=init, end=end, shape=draw(st.sampled_from(["linear", "cosine", "sqrt"])))
    return s, between(init, peak, end)


@settings(max_examples=200)
@given(st.one_of(anneals(), decays(), growths(), piecewise(), cyclicals()), steps)
def test_values_are_finite_and_within_their_range(schedule_and_range, t):
    schedule, (low, high) = schedule_and_range
    check(schedule, t, low, high)
