"""One entry per primitive (and per mode, shape or flag): constructor arguments,
alternative values for every numeric hyperparameter, the value-like ones that
get gradients, and the float64 reference."""

import dataclasses
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

import lrjax

from . import reference as ref
from .helpers import INT_MAX

#: Steps every case is checked at, on top of its own boundaries.
COMMON_STEPS = [-7, -1, 0, 1, 2, 3, 5, 9, 10, 11, 49, 50, 51, 99, 100, 101, 250, 1000, 10**6, 2**24 + 1, INT_MAX]


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    make: Callable[..., lrjax.Schedule]
    kwargs: dict[str, Any]
    #: Another valid value for each numeric hyperparameter (all of them valid together).
    alt: dict[str, Any]
    reference: Callable[..., np.ndarray]
    #: Value-like hyperparameters: gradients must be finite (and correct) for these.
    grad: tuple[str, ...]
    steps: tuple[int, ...] = ()

    @property
    def all_steps(self) -> np.ndarray:
        return np.array(sorted(set(COMMON_STEPS) | set(self.steps)), dtype=np.int64)

    def expected(self, at, **overrides) -> np.ndarray:
        t = np.maximum(np.asarray(at, dtype=np.float64), 0)
        return self.reference(t, **{**self.kwargs, **overrides})

    def build(self, **overrides) -> lrjax.Schedule:
        return self.make(**{**self.kwargs, **overrides})

    def __repr__(self) -> str:
        return self.id


def _jittered(seed, bound):
    return 1.0 + 0.1 * lrjax.noise(seed=seed, bound=bound)


def _jittered_ref(t, seed, bound):
    """jax.random's truncated normal at fold_in(key(seed), step), drawn step by step (no lrjax code)."""
    import jax

    key = jax.random.key(int(seed))
    steps = np.floor(np.asarray(t)).astype(np.int64).ravel()
    draws = [float(jax.random.truncated_normal(jax.random.fold_in(key, int(s)), -bound, bound)) for s in steps]
    return 1.0 + 0.1 * np.asarray(draws).reshape(np.shape(t))


def _rsqrt_warm(step, scale, warm):
    return scale * jnp.minimum(1.0, (step + 1) / warm) * jnp.sqrt(warm / jnp.maximum(step + 1, warm))


def _rsqrt_warm_ref(t, scale, warm, fn=None):
    return scale * np.minimum(1.0, (t + 1) / warm) * np.sqrt(warm / np.maximum(t + 1, warm))


CASES = [
    Case("constant", lrjax.constant, dict(value=0.3), dict(value=-2.0), ref.constant, ("value",)),
    Case("linear", lrjax.linear, dict(init=1.0, end=0.1, steps=100), dict(init=0.5, end=2.0, steps=37),
         ref.linear, ("init", "end"), (36, 37, 38)),
    Case("polynomial", lrjax.polynomial, dict(init=1.0, end=0.01, steps=100, power=2.0),
         dict(init=3.0, end=0.5, steps=55, power=0.5), ref.polynomial, ("init", "end", "power"), (54, 55, 56)),
    Case("cosine", lrjax.cosine, dict(init=1e-3, steps=100, end=1e-5, power=1.0),
         dict(init=2e-3, steps=60, end=0.0, power=2.0), ref.cosine, ("init", "end", "power"), (59, 60, 61)),
    Case("tanh", lrjax.tanh, dict(init=1.0, steps=100, end=0.1, lower=-7.0, upper=3.0),
         dict(init=2.0, steps=30, end=0.0, lower=-3.0, upper=5.0), ref.tanh, ("init", "end", "lower", "upper"),
         (29, 30, 31)),
    Case("exponential", lrjax.exponential, dict(init=1.0, rate=0.5, steps=10), dict(init=2.0, rate=0.9, steps=7),
         ref.exponential, ("init", "rate")),
    Case("exponential_floor", lambda end, **kw: lrjax.clip(lrjax.exponential(**kw), min=end), dict(init=1.0, rate=0.5, steps=10, end=0.1),
         dict(init=2.0, rate=0.8, steps=4, end=0.3), ref.exponential, ("init", "rate", "end"), (33, 34)),
    Case("exponential_growth", lambda end, **kw: lrjax.clip(lrjax.exponential(**kw), max=end), dict(init=1e-3, rate=2.0, steps=10, end=0.5),
         dict(init=1e-2, rate=1.5, steps=20, end=3.0), ref.exponential, ("init", "rate", "end"), (89, 90)),
    Case("exponential_staircase", lrjax.exponential, dict(init=1.0, rate=0.5, steps=10, staircase=True),
         dict(init=2.0, rate=0.25, steps=3), ref.exponential, ("init", "rate"), (19, 20, 21)),
    Case("inverse_time", lrjax.inverse_time, dict(init=1.0, rate=0.5, steps=10), dict(init=0.1, rate=2.0, steps=3),
         ref.inverse_time, ("init", "rate")),
    Case("inverse_time_staircase", lrjax.inverse_time, dict(init=1.0, rate=0.5, steps=10, staircase=True),
         dict(init=0.1, rate=2.0, steps=3), ref.inverse_time, ("init", "rate"), (19, 20)),
    Case("inverse_sqrt", lrjax.inverse_sqrt, dict(init=1.0, steps=100), dict(init=0.01, steps=4000),
         ref.inverse_sqrt, ("init",)),
    Case("step_decay", lrjax.step_decay, dict(init=1.0, steps=30, factor=0.5), dict(init=0.2, steps=7, factor=0.9),
         ref.step_decay, ("init", "factor"), (29, 30, 59, 60, 61)),
    Case("multistep", lrjax.multistep, dict(init=1.0, boundaries=[30, 80, 80, 500], factor=0.5),
         dict(init=0.3, boundaries=[1, 2, 3, 4], factor=0.9), ref.multistep, ("init", "factor"),
         (29, 30, 79, 80, 499, 500)),
    Case("piecewise_constant", lrjax.piecewise_constant, dict(boundaries=[10, 50, 50, 400], values=[1.0, 0.5, 9.0, 0.2, 0.1]),
         dict(boundaries=[0, 3, 5, 6], values=[5.0, 4.0, 3.0, 2.0, 1.0]), ref.piecewise_constant, ("values",),
         (399, 400, 401)),
    Case("piecewise_linear", lrjax.piecewise_linear, dict(boundaries=[5, 50, 50, 300], values=[0.0, 1.0, 0.5, 0.1]),
         dict(boundaries=[0, 10, 20, 30], values=[2.0, 1.0, 3.0, 0.0]), ref.piecewise_linear, ("values",),
         (4, 6, 299, 300)),
    Case("piecewise_cosine", lrjax.piecewise_linear,
         dict(boundaries=[5, 50, 300], values=[0.0, 1.0, 0.1], shape="cosine"),
         dict(boundaries=[0, 20, 30], values=[2.0, 1.0, 3.0]), ref.piecewise_linear, ("values",), (4, 6, 299, 300)),
    Case("one_cycle", lrjax.one_cycle, dict(peak=1.0, steps=100, pct_start=0.3, div=25.0, final_div=1e4),
         dict(peak=0.1, steps=47, pct_start=0.25, div=10.0, final_div=100.0), ref.one_cycle, ("peak", "div", "final_div"),
         (28, 29, 30, 98, 99)),
    Case("one_cycle_linear_3phase", lrjax.one_cycle,
         dict(peak=1.0, steps=100, pct_start=0.3, shape="linear", three_phase=True),
         dict(peak=0.1, steps=47, pct_start=0.25, div=10.0, final_div=100.0), ref.one_cycle, ("peak", "div", "final_div"),
         (28, 29, 30, 57, 58, 59, 98, 99)),
    Case("one_cycle_momentum", lrjax.one_cycle_momentum, dict(steps=100, low=0.85, high=0.95, pct_start=0.3),
         dict(steps=47, low=0.8, high=0.99, pct_start=0.25), ref.one_cycle_momentum, ("low", "high"), (28, 29, 30, 99)),
    Case("one_cycle_momentum_3phase", lrjax.one_cycle_momentum,
         dict(steps=100, pct_start=0.3, shape="linear", three_phase=True),
         dict(steps=47, low=0.8, high=0.99, pct_start=0.25), ref.one_cycle_momentum, ("low", "high"), (57, 58, 59)),
    Case("cyclic", lrjax.cyclic, dict(low=0.1, high=1.0, up_steps=20, down_steps=30),
         dict(low=0.01, high=0.5, up_steps=7, down_steps=3, factor=0.5), ref.cyclic, ("low", "high"), (19, 20, 21, 49, 50)),
    Case("cyclic_triangular2", lrjax.cyclic, dict(low=0.1, high=1.0, up_steps=20, down_steps=20, mode="triangular2"),
         dict(low=0.01, high=0.5, up_steps=7, down_steps=3, factor=0.5), ref.cyclic, ("low", "high"), (39, 40, 60)),
    Case("cyclic_exp_range", lrjax.cyclic, dict(low=0.1, high=1.0, up_steps=20, down_steps=20, mode="exp_range", factor=0.99),
         dict(low=0.01, high=0.5, up_steps=7, down_steps=3, factor=0.9), ref.cyclic, ("low", "high", "factor")),
    Case("wsd", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100),
         dict(peak=0.5, warmup_steps=0, stable_steps=7, decay_steps=13, init=0.1, end=0.05), ref.wsd,
         ("peak", "init", "end"), (89, 90, 91, 189, 190, 191)),
    Case("wsd_cosine", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100, end=0.1,
         shape="cosine"), dict(peak=0.5, warmup_steps=3, stable_steps=0, decay_steps=13, init=0.1, end=0.05),
         ref.wsd, ("peak", "init", "end"), (89, 90, 91, 189, 190)),
    Case("wsd_sqrt", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100, shape="sqrt"),
         dict(peak=0.5, warmup_steps=3, stable_steps=5, decay_steps=0, init=0.1, end=0.05), ref.wsd,
         ("peak", "init", "end"), (89, 90, 91, 189, 190)),
    Case("wsd_exponential", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100,
         end=1e-3, shape="exponential"), dict(peak=0.5, warmup_steps=3, stable_steps=5, decay_steps=20,
         init=0.1, end=0.05), ref.wsd, ("peak", "init", "end"), (89, 90, 91, 189, 190)),
    Case("from_fn", lambda **kw: lrjax.from_fn(_rsqrt_warm, **kw), dict(scale=1.0, warm=10.0),
         dict(scale=3.0, warm=100.0), _rsqrt_warm_ref, ("scale",)),
    Case("noise", _jittered, dict(seed=3.0, bound=2.0), dict(seed=17.0, bound=0.5), _jittered_ref, ()),
]

BY_ID = {c.id: c for c in CASES}


def numeric_params(case: Case) -> list[str]:
    """Every numeric hyperparameter of the case (all are leaves)."""
    return sorted(case.alt)


# Combinators and presets. Builders take flat keyword arguments so that every
# numeric hyperparameter, however deeply nested, is vmapped, differentiated and
# changed without retracing by the same generic tests.


def _join(warm, mid, peak, steps, floor):
    return lrjax.join([lrjax.linear(0.0, peak, steps=warm), lrjax.cosine(peak, steps=steps), lrjax.constant(floor)], boundaries=[warm, mid])


def _join_ref(t, warm, mid, peak, steps, floor):
    pieces = [lambda x: ref.linear(x, 0.0, peak, warm), lambda x: ref.cosine(x, peak, steps),
              lambda x: ref.constant(x, floor)]
    return ref.join(t, pieces, [warm, mid])


def _join_of_kinds(a, b, c, first, second, third, steps):
    # Cosines 0, 1 and 3 share one structure (evaluated once, with the piece's leaves); the linear is alone.
    # The pieces' lengths are the hyperparameters, so that every draw gives sorted boundaries.
    pieces = [lrjax.cosine(a, steps=steps), lrjax.cosine(b, 0.1 * b, steps=steps), lrjax.linear(b, c, steps=steps), lrjax.cosine(c, steps=2 * steps)]
    return lrjax.join(pieces, boundaries=[first, first + second, first + second + third])


def _join_of_kinds_ref(t, a, b, c, first, second, third, steps):
    pieces = [lambda x: ref.cosine(x, a, steps), lambda x: ref.cosine(x, b, steps, end=0.1 * b),
              lambda x: ref.linear(x, b, c, steps), lambda x: ref.cosine(x, c, 2 * steps)]
    return ref.join(t, pieces, [first, first + second, first + second + third])


def _join_in_join(a, b, first, second, steps):
    inner = lrjax.join([lrjax.constant(a), lrjax.constant(b)], boundaries=[first])
    return lrjax.join([inner, lrjax.linear(b, 0.0, steps=steps)], boundaries=[second])


def _join_in_join_ref(t, a, b, first, second, steps):
    inner = lambda x: ref.join(x, [lambda y: ref.constant(y, a), lambda y: ref.constant(y, b)], [first])  # noqa: E731
    return ref.join(t, [inner, lambda x: ref.linear(x, b, 0.0, steps)], [second])


def _cycle_of_join(peak, warm, period, decay):
    return lrjax.cycle(lrjax.join([lrjax.linear(0.0, peak, steps=warm), lrjax.cosine(peak, steps=period - warm)], boundaries=[warm]),
                       period=period, factor=decay)


def _cycle_of_join_ref(t, peak, warm, period, decay):
    inner = lambda x: ref.join(x, [lambda y: ref.linear(y, 0.0, peak, warm),  # noqa: E731
                                   lambda y: ref.cosine(y, peak, period - warm)], [warm])
    return ref.cycle(t, inner, period, decay)


def _warmup(peak, steps, end, warm, init, shape="linear", prefix=True):
    return lrjax.warmup(lrjax.cosine(peak, end, steps=steps), steps=warm, init=init, shape=shape, prefix=prefix)


def _warmup_ref(t, peak, steps, end, warm, init, shape="linear", prefix=True):
    return ref.warmup(t, lambda x: ref.cosine(x, peak, steps, end), warm, init, shape, prefix)


def _cooldown(value, steps, total, end, shape="linear"):
    return lrjax.cooldown(lrjax.cosine(value, 0.5 * value, steps=1000), steps=steps, total_steps=total, end=end, shape=shape)


def _cooldown_ref(t, value, steps, total, end, shape="linear"):
    return ref.cooldown(t, lambda x: ref.cosine(x, value, 1000, 0.5 * value), steps, total, end, shape)


def _cycle(peak, end, period, decay, limit=None):
    return lrjax.cycle(lrjax.linear(peak, end, steps=period), period=period, factor=decay, limit=limit)


def _cycle_ref(t, peak, end, period, decay, limit=None):
    return ref.cycle(t, lambda x: ref.linear(x, peak, end, period), period, decay, limit)


def _restart(peak, end, period, mult, decay, limit=None):
    return lrjax.restart(lrjax.cosine(peak, end, steps=period), period=period, mult=mult, factor=decay, limit=limit)


def _restart_ref(t, peak, end, period, mult, decay, limit=None):
    return ref.restart(t, lambda x: ref.cosine(x, peak, period, end), period, mult, decay, limit)


def _restart_warmup(peak, warm, period, mult):
    return lrjax.restart(lrjax.warmup(lrjax.cosine(peak, steps=period - warm), steps=warm), period=period, mult=mult)


def _restart_warmup_ref(t, peak, warm, period, mult):
    inner = lambda x: ref.warmup(x, lambda y: ref.cosine(y, peak, period - warm), warm)  # noqa: E731
    return ref.restart(t, inner, period, mult)


def _algebra(peak, steps, slope_end, c):
    return 0.5 * lrjax.cosine(peak, steps=steps) + lrjax.linear(0.0, slope_end, steps=steps) - c


def _algebra_ref(t, peak, steps, slope_end, c):
    return 0.5 * ref.cosine(t, peak, steps) + ref.linear(t, 0.0, slope_end, steps) - c


def _product(a, b, steps, c):
    return -(lrjax.linear(a, b, steps=steps) * lrjax.cosine(1.0, steps=steps)) / c


def _product_ref(t, a, b, steps, c):
    return -(ref.linear(t, a, b, steps) * ref.cosine(t, 1.0, steps)) / c


def _clip_shift(init, end, steps, delay, low, high):
    return lrjax.clip(lrjax.shift(lrjax.linear(init, end, steps=steps), steps=delay), min=low, max=high)


def _clip_shift_ref(t, init, end, steps, delay, low, high):
    return np.clip(ref.linear(np.maximum(t - delay, 0), init, end, steps), low, high)


def _per_epoch(init, every, factor, epoch):
    return lrjax.per_epoch(lrjax.step_decay(init, factor=factor, steps=every), steps_per_epoch=epoch)


def _per_epoch_ref(t, init, every, factor, epoch):
    return ref.step_decay(np.floor(t / epoch), init, factor, every)


def _blend(a, b, steps, ramp):
    return lrjax.blend(lrjax.constant(a), lrjax.cosine(b, steps=steps), weight=lrjax.linear(0.0, 1.0, steps=ramp))


def _blend_ref(t, a, b, steps, ramp):
    w = ref.linear(t, 0.0, 1.0, ramp)
    return a * (1 - w) + ref.cosine(t, b, steps) * w


def _warmup_cosine_ref(t, peak, warmup_steps, total_steps, init=0.0, end=0.0):
    return ref.warmup(t, lambda x: ref.cosine(x, peak, total_steps - warmup_steps, end), warmup_steps, init)


def _warmup_linear_ref(t, peak, warmup_steps, total_steps, init=0.0, end=0.0):
    return ref.warmup(t, lambda x: ref.linear(x, peak, end, total_steps - warmup_steps), warmup_steps, init)


def _sgdr_ref(t, peak, period, mult=2.0, factor=1.0, end=0.0, warmup_steps=0):
    cycles = lambda x: ref.restart(x, lambda y: ref.cosine(y, peak, period, end), period, mult, factor)  # noqa: E731
    if warmup_steps == 0:
        return cycles(t)
    return ref.warmup(t, cycles, warmup_steps)


def _warmup_inverse_sqrt_ref(t, peak, warmup_steps):
    return np.where(t < warmup_steps, peak * t / warmup_steps, peak * np.sqrt(warmup_steps / np.maximum(t, 1)))


CASES += [
    Case("join", _join, dict(warm=10.0, mid=60.0, peak=1.0, steps=50.0, floor=0.05),
         dict(warm=3.0, mid=100.0, peak=0.5, steps=80.0, floor=0.2), _join_ref, ("peak", "floor"), (59, 60, 61)),
    Case("join_of_kinds", _join_of_kinds, dict(a=1.0, b=0.5, c=0.25, first=20.0, second=30.0, third=20.0, steps=30.0),
         dict(a=2.0, b=0.1, c=0.3, first=5.0, second=2.0, third=230.0, steps=17.5), _join_of_kinds_ref, ("a", "b", "c"),
         (19, 20, 21, 49, 50, 51, 69, 70, 71, 129, 130, 131)),
    Case("join_in_join", _join_in_join, dict(a=1.0, b=0.5, first=20.0, second=50.0, steps=100.0),
         dict(a=2.0, b=0.1, first=5.0, second=7.0, steps=30.0), _join_in_join_ref, ("a", "b"), (19, 20, 149, 150)),
    Case("cycle_of_join", _cycle_of_join, dict(peak=1.0, warm=10.0, period=50.0, decay=0.8),
         dict(peak=0.3, warm=3.0, period=17.0, decay=1.0), _cycle_of_join_ref, ("peak", "decay"), (59, 60, 149, 150)),
    Case("warmup", _warmup, dict(peak=1.0, steps=90.0, end=0.1, warm=10.0, init=0.01),
         dict(peak=0.5, steps=30.0, end=0.0, warm=25.0, init=0.0), _warmup_ref, ("peak", "end", "init"), (99, 100)),
    Case("warmup_cosine_global", lambda **kw: _warmup(**kw, shape="cosine", prefix=False),
         dict(peak=1.0, steps=90.0, end=0.1, warm=10.0, init=0.01),
         dict(peak=0.5, steps=30.0, end=0.0, warm=25.0, init=0.0),
         lambda t, **kw: _warmup_ref(t, **kw, shape="cosine", prefix=False), ("peak", "end", "init"), (89, 90)),
    Case("warmup_exponential", lambda **kw: _warmup(**kw, shape="exponential"),
         dict(peak=1.0, steps=90.0, end=0.1, warm=10.0, init=1e-3),
         dict(peak=0.5, steps=30.0, end=0.0, warm=25.0, init=1e-2),
         lambda t, **kw: _warmup_ref(t, **kw, shape="exponential"), ("peak", "end", "init")),
    Case("cooldown", _cooldown, dict(value=1.0, steps=20.0, total=100.0, end=0.0),
         dict(value=0.5, steps=50.0, total=60.0, end=0.1), _cooldown_ref, ("value", "end"), (79, 80, 81)),
    Case("cooldown_sqrt", lambda **kw: _cooldown(**kw, shape="sqrt"), dict(value=1.0, steps=20.0, total=100.0, end=0.0),
         dict(value=0.5, steps=50.0, total=60.0, end=0.1), lambda t, **kw: _cooldown_ref(t, **kw, shape="sqrt"),
         ("value", "end"), (79, 80, 81)),
    Case("cycle", _cycle, dict(peak=1.0, end=0.1, period=30.0, decay=0.9), dict(peak=0.5, end=0.0, period=7.0, decay=1.0),
         _cycle_ref, ("peak", "end", "decay"), (29, 30, 31, 59, 60)),
    Case("cycle_limit", _cycle, dict(peak=1.0, end=0.1, period=30.0, decay=0.5, limit=3.0),
         dict(peak=0.5, end=0.0, period=7.0, decay=0.9, limit=5.0), _cycle_ref, ("peak", "end", "decay"), (89, 90)),
    Case("restart", _restart, dict(peak=1.0, end=0.01, period=10.0, mult=2.0, decay=0.5),
         dict(peak=0.3, end=0.0, period=3.0, mult=3.0, decay=0.9), _restart_ref, ("peak", "end", "decay"),
         (29, 30, 31, 69, 70, 71, 149, 150)),
    Case("restart_periodic", _restart, dict(peak=1.0, end=0.01, period=10.0, mult=1.0, decay=0.9),
         dict(peak=0.3, end=0.0, period=3.0, mult=2.0, decay=1.0), _restart_ref, ("peak", "end", "decay")),
    Case("restart_fractional", _restart, dict(peak=1.0, end=0.0, period=4.0, mult=1.5, decay=0.9),
         dict(peak=0.3, end=0.1, period=6.0, mult=1.25, decay=1.0), _restart_ref, ("peak", "end", "decay"),
         (4, 9, 10, 18, 19, 31, 32, 33)),
    Case("restart_limit", _restart, dict(peak=1.0, end=0.1, period=10.0, mult=2.0, decay=0.5, limit=3.0),
         dict(peak=0.3, end=0.0, period=3.0, mult=1.5, decay=0.9, limit=2.0), _restart_ref, ("peak", "end", "decay"),
         (69, 70, 71)),
    Case("restart_of_warmup", _restart_warmup, dict(peak=1.0, warm=5.0, period=20.0, mult=2.0),
         dict(peak=0.4, warm=2.0, period=8.0, mult=1.0), _restart_warmup_ref, ("peak",), (19, 20, 29, 30, 60)),
    Case("algebra", _algebra, dict(peak=1.0, steps=100.0, slope_end=0.2, c=0.05),
         dict(peak=2.0, steps=30.0, slope_end=-0.1, c=-1.0), _algebra_ref, ("peak", "slope_end", "c")),
    Case("product", _product, dict(a=1.0, b=0.1, steps=100.0, c=2.0), dict(a=3.0, b=0.0, steps=40.0, c=-0.5),
         _product_ref, ("a", "b", "c")),
    Case("clip_shift", _clip_shift, dict(init=1.0, end=0.0, steps=100.0, delay=20.0, low=0.1, high=0.8),
         dict(init=0.0, end=2.0, steps=10.0, delay=3.0, low=0.5, high=1.5), _clip_shift_ref,
         ("init", "end", "low", "high"), (19, 20, 21, 39, 40)),
    Case("per_epoch", _per_epoch, dict(init=1.0, every=2.0, factor=0.5, epoch=25.0),
         dict(init=0.1, every=3.0, factor=0.9, epoch=7.0), _per_epoch_ref, ("init", "factor"), (49, 50, 99, 100)),
    Case("blend", _blend, dict(a=1.0, b=2.0, steps=100.0, ramp=50.0), dict(a=0.1, b=0.5, steps=20.0, ramp=5.0),
         _blend_ref, ("a", "b")),
    Case("warmup_cosine", lrjax.warmup_cosine, dict(peak=1.0, warmup_steps=10.0, total_steps=100.0, init=0.01, end=0.001),
         dict(peak=0.5, warmup_steps=0.0, total_steps=40.0, init=0.0, end=0.1), _warmup_cosine_ref,
         ("peak", "init", "end")),
    Case("warmup_linear", lrjax.warmup_linear, dict(peak=1.0, warmup_steps=10.0, total_steps=100.0),
         dict(peak=0.5, warmup_steps=5.0, total_steps=40.0, init=0.1, end=0.05), _warmup_linear_ref, ("peak",)),
    Case("sgdr", lrjax.sgdr, dict(peak=1.0, period=10.0, mult=2.0, factor=0.5, end=0.01, warmup_steps=5.0),
         dict(peak=0.5, period=4.0, mult=1.0, factor=1.0, end=0.0, warmup_steps=0.0), _sgdr_ref,
         ("peak", "factor", "end"), (14, 15, 16, 34, 35, 36)),
    Case("warmup_inverse_sqrt", lrjax.warmup_inverse_sqrt, dict(peak=1.0, warmup_steps=100.0),
         dict(peak=0.5, warmup_steps=4000.0), _warmup_inverse_sqrt_ref, ("peak",)),
]

BY_ID = {c.id: c for c in CASES}
