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

INT_MAX = 2**31 - 1

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
    Case("cosine", lrjax.cosine, dict(init=1e-3, steps=100, end=1e-5, exponent=1.0),
         dict(init=2e-3, steps=60, end=0.0, exponent=2.0), ref.cosine, ("init", "end", "exponent"), (59, 60, 61)),
    Case("tanh", lrjax.tanh, dict(init=1.0, steps=100, end=0.1, lower=-7.0, upper=3.0),
         dict(init=2.0, steps=30, end=0.0, lower=-3.0, upper=5.0), ref.tanh, ("init", "end", "lower", "upper"),
         (29, 30, 31)),
    Case("exponential", lrjax.exponential, dict(init=1.0, rate=0.5, steps=10), dict(init=2.0, rate=0.9, steps=7),
         ref.exponential, ("init", "rate")),
    Case("exponential_end", lrjax.exponential, dict(init=1.0, rate=0.5, steps=10, end=0.1),
         dict(init=2.0, rate=0.8, steps=4, end=0.3), ref.exponential, ("init", "rate", "end"), (33, 34)),
    Case("exponential_growth", lrjax.exponential, dict(init=1e-3, rate=2.0, steps=10, end=0.5),
         dict(init=1e-2, rate=1.5, steps=20, end=3.0), ref.exponential, ("init", "rate", "end"), (89, 90)),
    Case("exponential_staircase", lrjax.exponential, dict(init=1.0, rate=0.5, steps=10, staircase=True),
         dict(init=2.0, rate=0.25, steps=3), ref.exponential, ("init", "rate"), (19, 20, 21)),
    Case("inverse_time", lrjax.inverse_time, dict(init=1.0, rate=0.5, steps=10), dict(init=0.1, rate=2.0, steps=3),
         ref.inverse_time, ("init", "rate")),
    Case("inverse_time_staircase", lrjax.inverse_time, dict(init=1.0, rate=0.5, steps=10, staircase=True),
         dict(init=0.1, rate=2.0, steps=3), ref.inverse_time, ("init", "rate"), (19, 20)),
    Case("inverse_sqrt", lrjax.inverse_sqrt, dict(init=1.0, timescale=100), dict(init=0.01, timescale=4000),
         ref.inverse_sqrt, ("init",)),
    Case("step_decay", lrjax.step_decay, dict(init=1.0, every=30, factor=0.5), dict(init=0.2, every=7, factor=0.9),
         ref.step_decay, ("init", "factor"), (29, 30, 59, 60, 61)),
    Case("multistep", lrjax.multistep, dict(init=1.0, milestones=[30, 80, 80, 500], factor=0.5),
         dict(init=0.3, milestones=[1, 2, 3, 4], factor=0.9), ref.multistep, ("init", "factor"),
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
         dict(low=0.01, high=0.5, up_steps=7, down_steps=3, gamma=0.5), ref.cyclic, ("low", "high"), (19, 20, 21, 49, 50)),
    Case("cyclic_triangular2", lrjax.cyclic, dict(low=0.1, high=1.0, up_steps=20, mode="triangular2"),
         dict(low=0.01, high=0.5, up_steps=7, down_steps=3, gamma=0.5), ref.cyclic, ("low", "high"), (39, 40, 60)),
    Case("cyclic_exp_range", lrjax.cyclic, dict(low=0.1, high=1.0, up_steps=20, mode="exp_range", gamma=0.99),
         dict(low=0.01, high=0.5, up_steps=7, down_steps=3, gamma=0.9), ref.cyclic, ("low", "high", "gamma")),
    Case("wsd", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100),
         dict(peak=0.5, warmup_steps=0, stable_steps=7, decay_steps=13, init=0.1, end=0.05), ref.wsd,
         ("peak", "init", "end"), (89, 90, 91, 189, 190, 191)),
    Case("wsd_cosine", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100, end=0.1,
         decay_shape="cosine"), dict(peak=0.5, warmup_steps=3, stable_steps=0, decay_steps=13, init=0.1, end=0.05),
         ref.wsd, ("peak", "init", "end"), (89, 90, 91, 189, 190)),
    Case("wsd_sqrt", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100, decay_shape="sqrt"),
         dict(peak=0.5, warmup_steps=3, stable_steps=5, decay_steps=0, init=0.1, end=0.05), ref.wsd,
         ("peak", "init", "end"), (89, 90, 91, 189, 190)),
    Case("wsd_exponential", lrjax.wsd, dict(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=100,
         end=1e-3, decay_shape="exponential"), dict(peak=0.5, warmup_steps=3, stable_steps=5, decay_steps=20,
         init=0.1, end=0.05), ref.wsd, ("peak", "init", "end"), (89, 90, 91, 189, 190)),
    Case("from_fn", lambda **kw: lrjax.from_fn(_rsqrt_warm, **kw), dict(scale=1.0, warm=10.0),
         dict(scale=3.0, warm=100.0), _rsqrt_warm_ref, ("scale",)),
]

BY_ID = {c.id: c for c in CASES}


def numeric_params(case: Case) -> list[str]:
    """Every numeric hyperparameter of the case (all are leaves)."""
    return sorted(case.alt)
