"""Issue 14's precision target for lrjax.compat: in float32, every compat schedule is within 1e-6
relative of its peer's float64 algorithm (tests/peers.py) at every int32 step up to 1e6, for
hyperparameters given as Python floats, wherever the value is at least 1e-3 of the curve's peak.

Every public function of every compat module (its ``__all__``) has a case here or is in
`EXEMPT` with the reason; a new function without either fails `test_every_compat_function_is_covered`.
Hyperparameters are drawn around realistic values (rates and gammas near 1 included, fractional
cycle counts, percentages and multipliers where the peer takes them), lengths as whole numbers
given as Python floats. Each example is one compiled evaluation at the first 50 steps, a random
sample of steps up to 1e6, and the schedule's own boundaries (and their neighbours).

Examples per case: 1 by default (``LRJAX_PRECISION_EXAMPLES=N`` for more).
"""

import dataclasses
import math
import os
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lrjax
from lrjax.compat import keras, optax, timm, torch, transformers

from . import peers
from .helpers import evaluate
from .test_precision import check, made, sampled_steps

EXAMPLES = int(os.environ.get("LRJAX_PRECISION_EXAMPLES", "1"))
MODULES = {"optax": optax, "torch": torch, "timm": timm, "transformers": transformers, "keras": keras}

#: Public compat functions that return no schedule of the step to check against a formula.
EXEMPT = {
    "torch.LambdaLR": "holds the user's Python function: its precision is the user's float32 arithmetic",
    "torch.ReduceLROnPlateau": "a controller of metrics, not a function of the step (tests/test_compat.py checks torch's rule)",
    "timm.PlateauLRScheduler": "a controller of metrics (torch.ReduceLROnPlateau), not a function of the step",
    "transformers.get_reduce_on_plateau_schedule": "a controller of metrics (torch.ReduceLROnPlateau), not a function of the step",
    "timm.get_cycle_length": "a length, not a schedule: Python arithmetic for Python arguments",
    "timm.scheduler_kwargs": "a dict of create_scheduler_v2's arguments, not a schedule",
    "keras.noisy_linear_cosine_decay": "a random draw; its noise-free part is linear_cosine_decay (checked)",
}

class Draw:
    """Realistic hyperparameters, each a Python float (lengths whole)."""

    def __init__(self, data: st.DataObject):
        self.data = data

    def __call__(self, strategy: st.SearchStrategy) -> Any:
        return self.data.draw(strategy)

    def lr(self, lo: float = -5.0, hi: float = 1.0) -> float:
        return 10.0 ** self(st.floats(lo, hi))

    def whole(self, lo: int, hi: int) -> float:
        """A length: log-uniform over [lo, hi], whole, as a Python float."""
        if lo == hi:
            return float(lo)
        x = self(st.floats(math.log(max(lo, 1)), math.log(hi)))
        return float(min(max(round(math.exp(x)), lo), hi))

    def unit(self, lo: float = 0.0, hi: float = 1.0) -> float:
        return self(st.floats(lo, hi))

    def near_1(self, lo: float = 0.5, grow: bool = False) -> float:
        """A decay factor: often within 1e-3 of 1 (0.9999, 0.99999, ...), else in [lo, 1)."""
        near = self(st.sampled_from([0.9999, 0.99999, 0.999, 0.99, 0.9995, 0.999999]))
        rate = self(st.one_of(st.just(near), st.floats(lo, 0.99999)))
        return 2.0 - rate if grow else rate

    def pick(self, options: list) -> Any:
        return self(st.sampled_from(options))


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    #: The public function the case covers, as "module.name".
    covers: str
    draw: Callable[[Draw], dict[str, Any]]
    make: Callable[..., lrjax.Schedule]
    reference: Callable[..., float]
    #: Steps where the schedule changes piece (their neighbours are checked too).
    bounds: Callable[..., list[float]] = lambda **kw: []

    def __repr__(self) -> str:
        return self.id


def _named(module: str, name: str) -> Callable[..., Any]:
    return getattr(MODULES[module], name)


def _case(id: str, draw, make=None, reference=None, bounds=None, covers=None) -> Case:  # noqa: A002
    """A case for ``module.name`` (from the id up to its first ``:``): by default it calls the function with the drawn arguments."""
    covers = covers or id.split(":")[0]
    module, name = covers.split(".")
    return Case(id, covers, draw, make or _named(module, name), reference, bounds or (lambda **kw: []))


# optax --------------------------------------------------------------------------------------------------------------------------


def _poly_args(d: Draw) -> dict:
    return dict(init_value=d.lr(), end_value=d.lr(-6, -2), power=d.unit(0.5, 3.0), transition_steps=d.whole(1, 200_000),
                transition_begin=d.whole(0, 5000) * d.pick([0, 1]))


def _scales(d: Draw, low: float = 0.1) -> dict:
    n = d(st.integers(1, 4))
    keys = sorted({int(d.whole(1, 500_000)) for _ in range(n)})
    return {k: d.pick([d.unit(low, 1.0), d.near_1(), 0.5, 0.1]) for k in keys}


def _optax_exp_args(d: Draw) -> dict:
    grow = d.pick([False, False, True])
    rate = d.near_1(0.3, grow=grow)
    init = d.lr()
    end = (init * d.lr(1, 3) if grow else init * d.lr(-4, -1)) if grow or d.pick([True, False]) else None
    return dict(init_value=init, transition_steps=d.whole(1, 20_000), decay_rate=rate, transition_begin=d.whole(0, 5000) * d.pick([0, 1]),
                staircase=d.pick([False, True]), end_value=end)


def _onecycle_args(d: Draw, final: bool) -> dict:
    kw = dict(transition_steps=d.whole(20, 500_000), peak_value=d.lr(), pct_start=d.unit(0.05, 0.45), div_factor=d.unit(5.0, 50.0),
              final_div_factor=d.pick([1e4, 100.0, d.unit(10.0, 1e4)]))
    if final:
        kw["pct_final"] = d.unit(0.55, 0.95)
    return kw


def _warmup_cosine_args(d: Draw) -> dict:
    warm = d.whole(0, 20_000)
    return dict(init_value=d.lr(-6, -3), peak_value=d.lr(), warmup_steps=warm, decay_steps=warm + d.whole(1, 500_000),
                end_value=d.pick([0.0, d.lr(-7, -4)]), exponent=d.pick([1.0, d.unit(0.5, 3.0)]))


def _sgdr_args(d: Draw) -> dict:
    return dict(cosine_kwargs=[_warmup_cosine_args(d) for _ in range(d(st.integers(1, 3)))])


def _sgdr_bounds(cosine_kwargs):
    out, start = [], 0.0
    for kw in cosine_kwargs:
        out += [start, start + kw["warmup_steps"]]
        start += kw["decay_steps"]
    return out + [start]


def _join_args(d: Draw) -> dict:
    return dict(a=d.lr(), b=d.lr(), steps=d.whole(1, 100_000), boundaries=sorted(d.whole(1, 400_000) for _ in range(2)))


def _join_make(a, b, steps, boundaries):
    return optax.join_schedules([optax.constant_schedule(a), optax.linear_schedule(a, b, steps), optax.cosine_decay_schedule(b, steps)],
                                boundaries)


def _join_ref(t, a, b, steps, boundaries):
    pieces = [lambda u: a, lambda u: peers.optax_linear(u, a, b, steps), lambda u: peers.optax_cosine(u, b, steps)]
    return peers.optax_join(t, pieces, boundaries)


OPTAX = [
    _case("optax.constant_schedule", lambda d: dict(value=d.lr()), reference=lambda t, value: value),
    _case("optax.polynomial_schedule", _poly_args, reference=peers.optax_polynomial,
          bounds=lambda transition_begin, transition_steps, **kw: [transition_begin, transition_begin + transition_steps]),
    _case("optax.linear_schedule", lambda d: {k: v for k, v in _poly_args(d).items() if k != "power"}, reference=peers.optax_linear,
          bounds=lambda transition_begin, transition_steps, **kw: [transition_begin, transition_begin + transition_steps]),
    _case("optax.piecewise_constant_schedule", lambda d: dict(init_value=d.lr(), boundaries_and_scales=_scales(d, 0.0)),
          reference=peers.optax_piecewise_constant, bounds=lambda boundaries_and_scales, **kw: list(boundaries_and_scales)),
    _case("optax.exponential_decay", _optax_exp_args, reference=peers.optax_exponential,
          bounds=lambda transition_begin, transition_steps, **kw: [transition_begin + k * transition_steps for k in range(3)]),
    _case("optax.cosine_decay_schedule",
          lambda d: dict(init_value=d.lr(), decay_steps=d.whole(1, 500_000), alpha=d.pick([0.0, d.unit(0.0, 0.5)]),
                         exponent=d.pick([1.0, d.unit(0.5, 3.0)])),
          reference=peers.optax_cosine, bounds=lambda decay_steps, **kw: [decay_steps]),
    *[_case(f"optax.piecewise_interpolate_schedule:{kind}",
            lambda d: dict(init_value=d.lr(), boundaries_and_scales=_scales(d)),
            make=lambda kind=kind, **kw: optax.piecewise_interpolate_schedule(kind, **kw),
            reference=lambda t, kind=kind, **kw: peers.optax_piecewise_interpolate(t, kind, **kw),
            bounds=lambda boundaries_and_scales, **kw: list(boundaries_and_scales)) for kind in ("linear", "cosine")],
    _case("optax.linear_onecycle_schedule", lambda d: _onecycle_args(d, True), reference=peers.optax_linear_onecycle,
          bounds=lambda transition_steps, pct_start, pct_final, **kw: [int(pct_start * transition_steps), int(pct_final * transition_steps),
                                                                       transition_steps]),
    _case("optax.cosine_onecycle_schedule", lambda d: _onecycle_args(d, False), reference=peers.optax_cosine_onecycle,
          bounds=lambda transition_steps, pct_start, **kw: [int(pct_start * transition_steps), transition_steps]),
    _case("optax.warmup_constant_schedule", lambda d: dict(init_value=d.lr(-6, -3), peak_value=d.lr(), warmup_steps=d.whole(1, 100_000)),
          reference=peers.optax_warmup_constant, bounds=lambda warmup_steps, **kw: [warmup_steps]),
    _case("optax.warmup_cosine_decay_schedule", _warmup_cosine_args, reference=peers.optax_warmup_cosine,
          bounds=lambda warmup_steps, decay_steps, **kw: [warmup_steps, decay_steps]),
    _case("optax.warmup_exponential_decay_schedule",
          lambda d: dict(init_value=d.lr(-6, -3), warmup_steps=d.whole(1, 20_000),
                         **{k if k != "init_value" else "peak_value": v for k, v in _optax_exp_args(d).items()}),
          reference=peers.optax_warmup_exponential,
          bounds=lambda warmup_steps, transition_begin, transition_steps, **kw: [warmup_steps, warmup_steps + transition_begin,
                                                                                 warmup_steps + transition_begin + transition_steps]),
    _case("optax.sgdr_schedule", _sgdr_args, reference=peers.optax_sgdr, bounds=_sgdr_bounds),
    _case("optax.join_schedules", _join_args, make=_join_make, reference=_join_ref,
          bounds=lambda boundaries, steps, **kw: [*boundaries, boundaries[0] + steps, boundaries[1] + steps]),
]


# torch --------------------------------------------------------------------------------------------------------------------------


def _cyclic_args(d: Draw, mode: str) -> dict:
    up = d.whole(1, 20_000)
    kw = dict(base_lr=d.lr(-6, -3), max_lr=d.lr(-3, 1), step_size_up=up, step_size_down=d.pick([None, d.whole(1, 20_000)]), mode=mode)
    if mode == "exp_range":
        kw["gamma"] = d.near_1(0.99)
    return kw


def _cyclic_bounds(step_size_up, step_size_down=None, **kw):
    down = step_size_up if step_size_down is None else step_size_down
    return [k * (step_size_up + down) + x for k in range(3) for x in (0, step_size_up)]


def _one_cycle_args(d: Draw, momentum: bool) -> dict:
    kw: dict[str, Any] = dict(pct_start=d.unit(0.05, 0.45), anneal_strategy=d.pick(["cos", "linear"]), three_phase=d.pick([False, True]))
    if d.pick([True, False]):
        kw["total_steps"] = d.whole(20, 1_000_000)
    else:
        kw["epochs"], kw["steps_per_epoch"] = d.whole(1, 300), d.whole(20, 3000)
    if momentum:
        kw["base_momentum"], kw["max_momentum"] = d.unit(0.8, 0.9), d.unit(0.9, 0.999)
    else:
        kw.update(max_lr=d.lr(), div_factor=d.unit(5.0, 50.0), final_div_factor=d.pick([1e4, d.unit(10.0, 1e4)]))
    n = kw.get("total_steps") or kw["epochs"] * kw["steps_per_epoch"]
    assume(kw["pct_start"] * n >= 2)  # else a phase of length 0: torch divides by zero
    return kw


def _one_cycle_bounds(pct_start, total_steps=None, epochs=None, steps_per_epoch=None, **kw):
    n = total_steps if total_steps is not None else epochs * steps_per_epoch
    return [pct_start * n - 1, 2 * pct_start * n - 2, n - 1]


def _sequential_args(d: Draw) -> dict:
    return dict(base_lr=d.lr(), start_factor=d.unit(0.01, 1.0), total_iters=d.whole(1, 20_000), gamma=d.near_1(0.9),
                milestone=d.whole(1, 100_000))


def _sequential_make(base_lr, start_factor, total_iters, gamma, milestone):
    return torch.SequentialLR([torch.LinearLR(base_lr, start_factor, 1.0, total_iters), torch.ExponentialLR(base_lr, gamma)], [milestone])


def _sequential_ref(t, base_lr, start_factor, total_iters, gamma, milestone):
    if t < milestone:
        return peers.torch_linear(t, base_lr, start_factor, 1.0, total_iters)
    return peers.torch_exponential(t - milestone, base_lr, gamma)


def _chained_make(base_lr, start_factor, total_iters, gamma, milestone):
    return torch.ChainedScheduler([torch.LinearLR(base_lr, start_factor, 1.0, total_iters), torch.ExponentialLR(base_lr, gamma),
                                   torch.StepLR(base_lr, milestone, 0.5)], base_lr)


def _chained_ref(t, base_lr, start_factor, total_iters, gamma, milestone):
    """torch's chained product of the closed forms, each a factor of base_lr."""
    factors = [peers.torch_linear(t, base_lr, start_factor, 1.0, total_iters), peers.torch_exponential(t, base_lr, gamma),
               peers.torch_step(t, base_lr, milestone, 0.5)]
    return base_lr * math.prod(f / base_lr for f in factors)


def _multiplicative_make(base_lr, gamma):
    return torch.MultiplicativeLR(base_lr, lambda epoch: gamma)


TORCH = [
    _case("torch.MultiplicativeLR", lambda d: dict(base_lr=d.lr(), gamma=d.near_1(0.9)), make=_multiplicative_make,
          reference=None),  # many steps at once: see _references
    _case("torch.StepLR", lambda d: dict(base_lr=d.lr(), step_size=d.whole(1, 100_000), gamma=d.pick([0.1, 0.5, d.near_1(0.3)])),
          reference=peers.torch_step, bounds=lambda step_size, **kw: [step_size, 2 * step_size]),
    _case("torch.MultiStepLR",
          lambda d: dict(base_lr=d.lr(), milestones=[d.whole(1, 500_000) for _ in range(d(st.integers(1, 4)))], gamma=d.pick([0.1, d.near_1(0.3)])),
          reference=peers.torch_multistep, bounds=lambda milestones, **kw: milestones),
    _case("torch.ConstantLR", lambda d: dict(base_lr=d.lr(), factor=d.unit(0.01, 1.0), total_iters=d.whole(1, 100_000)),
          reference=peers.torch_constant, bounds=lambda total_iters, **kw: [total_iters]),
    _case("torch.LinearLR",
          lambda d: dict(base_lr=d.lr(), start_factor=d.unit(0.001, 1.0), end_factor=d.pick([1.0, d.unit(0.0, 1.0)]), total_iters=d.whole(1, 500_000)),
          reference=peers.torch_linear, bounds=lambda total_iters, **kw: [total_iters]),
    _case("torch.ExponentialLR", lambda d: dict(base_lr=d.lr(), gamma=d.near_1(0.5)), reference=peers.torch_exponential),
    _case("torch.PolynomialLR", lambda d: dict(base_lr=d.lr(), total_iters=d.whole(1, 500_000), power=d.pick([1.0, d.unit(0.5, 3.0)])),
          reference=peers.torch_polynomial, bounds=lambda total_iters, **kw: [total_iters]),
    _case("torch.CosineAnnealingLR", lambda d: dict(base_lr=d.lr(), T_max=d.whole(1, 300_000), eta_min=d.pick([0.0, d.lr(-7, -4)])),
          reference=peers.torch_cosine_annealing, bounds=lambda T_max, **kw: [T_max, 2 * T_max, 3 * T_max]),
    _case("torch.CosineAnnealingWarmRestarts",
          lambda d: dict(base_lr=d.lr(), T_0=d.whole(1, 50_000), T_mult=float(d.pick([1, 1, 2, 3])), eta_min=d.pick([0.0, d.lr(-7, -4)])),
          reference=peers.torch_warm_restarts, bounds=lambda T_0, T_mult, **kw: [T_0, T_0 + T_0 * T_mult]),
    *[_case(f"torch.CyclicLR:{mode}", lambda d, mode=mode: _cyclic_args(d, mode), reference=peers.torch_cyclic, bounds=_cyclic_bounds)
      for mode in ("triangular", "triangular2", "exp_range")],
    _case("torch.CyclicMomentum",
          lambda d: {**{k: v for k, v in _cyclic_args(d, "exp_range").items() if k not in ("base_lr", "max_lr")},
                     "base_momentum": d.unit(0.8, 0.9), "max_momentum": d.unit(0.9, 0.999), "mode": d.pick(["triangular", "exp_range"])},
          reference=peers.torch_cyclic_momentum, bounds=_cyclic_bounds),
    _case("torch.OneCycleLR", lambda d: _one_cycle_args(d, False), reference=peers.torch_one_cycle, bounds=_one_cycle_bounds),
    _case("torch.OneCycleMomentum", lambda d: _one_cycle_args(d, True), reference=peers.torch_one_cycle_momentum, bounds=_one_cycle_bounds),
    _case("torch.SequentialLR", _sequential_args, make=_sequential_make, reference=_sequential_ref,
          bounds=lambda total_iters, milestone, **kw: [total_iters, milestone]),
    _case("torch.ChainedScheduler", _sequential_args, make=_chained_make, reference=_chained_ref,
          bounds=lambda total_iters, milestone, **kw: [total_iters, milestone, 2 * milestone]),
    _case("torch.SWALR",
          lambda d: dict(base_lr=d.lr(), swa_lr=d.lr(), anneal_epochs=d.whole(0, 100_000), anneal_strategy=d.pick(["cos", "linear"])),
          reference=peers.torch_swalr, bounds=lambda anneal_epochs, **kw: [anneal_epochs]),
]


# timm ---------------------------------------------------------------------------------------------------------------------------


def _timm_cycle_args(d: Draw, poly: bool = False, tanh: bool = False) -> dict:
    kw = dict(base_lr=d.lr(), t_initial=d.whole(1, 200_000), lr_min=d.pick([0.0, d.lr(-7, -4)]),
              cycle_mul=d.pick([1.0, 2.0, 1.5, d.unit(1.1, 3.0), d.unit(1.0001, 1.1)]), cycle_decay=d.pick([1.0, 0.5, d.near_1(0.1)]),
              cycle_limit=float(d.pick([1, 2, 5, 1000])), warmup_t=d.whole(0, 10_000) * d.pick([0, 1]), warmup_lr_init=d.pick([0.0, d.lr(-7, -4)]),
              warmup_prefix=d.pick([False, True]))
    if poly:
        kw["power"] = d.pick([0.5, d.unit(0.5, 3.0)])
    if tanh:
        kw["lb"], kw["ub"] = d.unit(-8.0, -1.0), d.unit(1.0, 5.0)
    else:
        kw["k_decay"] = d.pick([1.0, 1.0, d.unit(0.5, 2.0)])
    return kw


def _timm_cycle_bounds(t_initial, cycle_mul, warmup_t, warmup_prefix, **kw):
    first = warmup_t if warmup_prefix else 0.0
    return [warmup_t, first + t_initial, first + t_initial * (1 + cycle_mul)]


def _wsd_args(d: Draw) -> dict:
    t_initial = d.whole(2, 500_000)
    stable = d.pick(["constant", "constant", "rsqrt", "power"])
    kw = dict(base_lr=d.lr(), t_initial=t_initial, decay_t=d.whole(1, int(t_initial)), lr_min=d.pick([0.0, d.lr(-7, -4)]), stable_fn=stable,
              decay_fn=d.pick(["linear", "1-sqrt", "cosine", "power", "exp"]), decay_power=d.unit(0.3, 3.0), decay_ratio=d.unit(0.01, 0.5),
              warmup_t=d.whole(1, 10_000) * d.pick([0, 1]), warmup_lr_init=d.pick([0.0, d.lr(-7, -4)]))
    if stable != "constant":
        kw["stable_timescale"], kw["stable_power"] = d.whole(1, 100_000), d.unit(0.2, 1.0)
    return kw


def _create_args(d: Draw) -> dict:
    sched = d.pick(["cosine", "tanh", "step", "multistep", "poly", "wsd", "rsqrt", "constant"])
    kw = dict(base_lr=d.lr(), sched=sched, num_epochs=int(d.whole(2, 1000)), decay_epochs=d.whole(1, 100),
              decay_milestones=sorted(int(d.whole(1, 900)) for _ in range(3)), decay_rate=d.pick([0.1, d.near_1(0.5)]),
              min_lr=d.pick([0.0, d.lr(-7, -4)]), warmup_lr=d.lr(-7, -4), warmup_epochs=int(d.whole(0, 10)) * d.pick([0, 1]),
              warmup_prefix=d.pick([False, True]), cycle_mul=d.pick([1.0, 2.0]), cycle_decay=d.pick([0.1, 0.5]),
              cycle_limit=d.pick([1, 3]), step_on_epochs=False, updates_per_epoch=int(d.whole(1, 1000)))
    if sched in ("wsd", "rsqrt"):
        kw["decay_epochs"] = d.unit(0.05, 0.9)
        kw["stable_timescale"] = d.whole(1, 100)
    if sched == "poly":
        kw["decay_rate"] = d.unit(0.5, 2.0)
    return kw


def _create_make(**kw):
    schedule, _ = timm.create_scheduler_v2(**kw)
    return schedule


def _create_ref(t, base_lr, sched, num_epochs, decay_epochs, decay_milestones, decay_rate, min_lr, warmup_lr, warmup_epochs, warmup_prefix,
                cycle_mul, cycle_decay, cycle_limit, step_on_epochs, updates_per_epoch, stable_timescale=None):
    """timm's create_scheduler_v2 with step_on_epochs=False: every length in updates, then the scheduler it names."""
    u = updates_per_epoch
    t_initial, warmup_t, decay_t = num_epochs * u, warmup_epochs * u, decay_epochs * u
    warm = dict(warmup_t=warmup_t, warmup_lr_init=warmup_lr, warmup_prefix=warmup_prefix)
    cycles = dict(cycle_mul=cycle_mul, cycle_decay=cycle_decay, cycle_limit=cycle_limit)
    if sched == "cosine":
        return peers.timm_cosine(t, base_lr, t_initial, lr_min=min_lr, **cycles, **warm)
    if sched == "tanh":
        return peers.timm_tanh(t, base_lr, t_initial, lr_min=min_lr, **cycles, **warm)
    if sched == "poly":
        return peers.timm_poly(t, base_lr, t_initial, power=decay_rate, lr_min=min_lr, **cycles, **warm)
    if sched == "step":
        return peers.timm_step(t, base_lr, decay_t, decay_rate, **warm)
    if sched == "constant":
        return peers.timm_step(t, base_lr, 1, 1.0, **warm)
    if sched == "multistep":
        return peers.timm_multistep(t, base_lr, [m * u for m in decay_milestones], decay_rate, **warm)
    t_sched = t_initial if warmup_prefix else t_initial - warmup_t
    d = int(round(decay_epochs * t_sched)) if 0 < decay_epochs < 1 else int(round(decay_t))
    return peers.timm_wsd(t, base_lr, t_sched, d, lr_min=min_lr, stable_fn="rsqrt" if sched == "rsqrt" else "constant",
                          stable_timescale=None if stable_timescale is None else stable_timescale * u,
                          decay_fn="linear" if sched == "rsqrt" else "1-sqrt", warmup_t=warmup_t, warmup_lr_init=warmup_lr)


def _create_bounds(num_epochs, updates_per_epoch, warmup_epochs, decay_epochs, decay_milestones, **kw):
    u = updates_per_epoch
    return [warmup_epochs * u, num_epochs * u, decay_epochs * u, *(m * u for m in decay_milestones)]


TIMM = [
    _case("timm.CosineLRScheduler", _timm_cycle_args, reference=peers.timm_cosine, bounds=_timm_cycle_bounds),
    _case("timm.PolyLRScheduler", lambda d: _timm_cycle_args(d, poly=True), reference=peers.timm_poly, bounds=_timm_cycle_bounds),
    _case("timm.TanhLRScheduler", lambda d: _timm_cycle_args(d, tanh=True), reference=peers.timm_tanh, bounds=_timm_cycle_bounds),
    _case("timm.StepLRScheduler",
          lambda d: dict(base_lr=d.lr(), decay_t=d.whole(1, 100_000), decay_rate=d.pick([0.1, d.near_1(0.3)]), warmup_t=d.whole(0, 10_000),
                         warmup_lr_init=d.pick([0.0, d.lr(-7, -4)]), warmup_prefix=d.pick([True, False])),
          reference=peers.timm_step, bounds=lambda decay_t, warmup_t, **kw: [warmup_t, decay_t, warmup_t + decay_t]),
    _case("timm.MultiStepLRScheduler",
          lambda d: dict(base_lr=d.lr(), decay_t=sorted(d.whole(1, 500_000) for _ in range(d(st.integers(1, 4)))),
                         decay_rate=d.pick([0.1, d.near_1(0.3)]), warmup_t=d.whole(0, 10_000), warmup_lr_init=d.pick([0.0, d.lr(-7, -4)]),
                         warmup_prefix=d.pick([True, False])),
          reference=peers.timm_multistep, bounds=lambda decay_t, warmup_t, **kw: [warmup_t, *decay_t, *(m + warmup_t for m in decay_t)]),
    _case("timm.WSDLRScheduler", _wsd_args, reference=peers.timm_wsd,
          bounds=lambda t_initial, decay_t, warmup_t, **kw: [warmup_t, warmup_t + t_initial - decay_t, warmup_t + t_initial]),
    _case("timm.create_scheduler_v2", _create_args, make=_create_make, reference=_create_ref, bounds=_create_bounds),
]


# transformers -------------------------------------------------------------------------------------------------------------------


#: Fractional cycle counts as configs give them (a wave's period is then a fraction of the decay length).
CYCLES = [0.25, 0.375, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]


def _hf_args(d: Draw, cycles: bool = False, hard: bool = False) -> dict:
    w = d.whole(0, 20_000) * d.pick([0, 1])
    kw = dict(base_lr=d.lr(), num_warmup_steps=w, num_training_steps=w + d.whole(100 if cycles or hard else 1, 1_000_000))
    if cycles:
        kw["num_cycles"] = d.pick([0.5, 0.5, *CYCLES])
    if hard:
        kw["num_cycles"] = float(d.pick([1, 2, 3, d(st.integers(1, 20))]))
    return kw


def _hf_bounds(num_warmup_steps=0, num_training_steps=None, num_cycles=1.0, **kw):
    out = [num_warmup_steps]
    if num_training_steps is not None:
        out += [num_training_steps, num_warmup_steps + (num_training_steps - num_warmup_steps) / (2 * num_cycles)]
    return out


def _hf_wsd_args(d: Draw) -> dict:
    kw = dict(base_lr=d.lr(), num_warmup_steps=d.whole(0, 20_000), num_decay_steps=d.whole(0, 200_000),
              warmup_type=d.pick(["linear", "cosine", "1-sqrt"]), decay_type=d.pick(["linear", "cosine", "1-sqrt"]),
              min_lr_ratio=d.pick([0.0, d.unit(0.0, 0.5)]), num_cycles=d.pick([0.5, *CYCLES]))
    kw["num_stable_steps"] = d.whole(0, 500_000)
    return kw


def _hf_lr_rate_args(d: Draw) -> dict:
    kw = _hf_args(d, cycles=True)
    kw["num_warmup_steps"] = d.whole(0, 20_000)
    kw["num_training_steps"] = kw["num_warmup_steps"] + d.whole(100, 1_000_000)
    kw[d.pick(["min_lr", "min_lr_rate"])] = d.lr(-4, -1) * kw["base_lr"] if d.pick([True, False]) else d.unit(0.0, 0.5)
    if "min_lr" in kw:
        kw["min_lr"] = min(kw["min_lr"], kw["base_lr"])
    kw["warmup_lr_rate"] = d.pick([None, d.unit(0.0, 1.0)])
    return kw


def _get_scheduler_args(d: Draw) -> dict:
    name = d.pick(["linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt"])
    kw = _hf_args(d)
    return dict(name=name, **kw)


_HF_BY_NAME = {"linear": peers.hf_linear, "cosine": peers.hf_cosine, "cosine_with_restarts": peers.hf_hard_restarts,
               "polynomial": lambda t, base_lr, **kw: peers.hf_polynomial(t, base_lr, lr_end=1e-7, power=1.0, **kw),
               "constant": lambda t, base_lr, **kw: base_lr, "constant_with_warmup": lambda t, num_training_steps, **kw: peers.hf_constant_warmup(t, **kw),
               "inverse_sqrt": lambda t, num_training_steps, **kw: peers.hf_inverse_sqrt(t, **kw)}

TRANSFORMERS = [
    _case("transformers.get_constant_schedule", lambda d: dict(base_lr=d.lr()), reference=peers.hf_constant),
    _case("transformers.get_constant_schedule_with_warmup", lambda d: dict(base_lr=d.lr(), num_warmup_steps=d.whole(0, 100_000)),
          reference=peers.hf_constant_warmup, bounds=_hf_bounds),
    _case("transformers.get_linear_schedule_with_warmup", _hf_args, reference=peers.hf_linear, bounds=_hf_bounds),
    _case("transformers.get_cosine_schedule_with_warmup", lambda d: _hf_args(d, cycles=True), reference=peers.hf_cosine, bounds=_hf_bounds),
    _case("transformers.get_cosine_with_hard_restarts_schedule_with_warmup", lambda d: _hf_args(d, hard=True), reference=peers.hf_hard_restarts,
          bounds=_hf_bounds),
    _case("transformers.get_polynomial_decay_schedule_with_warmup",
          lambda d: {**_hf_args(d), "lr_end": d.pick([1e-7, d.lr(-8, -6)]), "power": d.pick([1.0, d.unit(0.5, 3.0)])},
          reference=peers.hf_polynomial, bounds=_hf_bounds),
    _case("transformers.get_inverse_sqrt_schedule",
          lambda d: dict(base_lr=d.lr(), num_warmup_steps=d.whole(0, 20_000) * d.pick([0, 1]), timescale=d.pick([None, d.whole(1, 100_000)])),
          reference=peers.hf_inverse_sqrt, bounds=_hf_bounds),
    _case("transformers.get_cosine_with_min_lr_schedule_with_warmup",
          lambda d: {**_hf_args(d, cycles=True), "min_lr_rate": d.unit(0.0, 0.5)}, reference=peers.hf_cosine_min_lr, bounds=_hf_bounds),
    _case("transformers.get_wsd_schedule", _hf_wsd_args, reference=peers.hf_wsd,
          bounds=lambda num_warmup_steps, num_decay_steps, num_stable_steps, **kw: [
              num_warmup_steps, num_warmup_steps + num_stable_steps, num_warmup_steps + num_stable_steps + num_decay_steps]),
    _case("transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate", _hf_lr_rate_args, reference=peers.hf_cosine_min_lr_rate,
          bounds=_hf_bounds),
    _case("transformers.get_scheduler", _get_scheduler_args,
          make=lambda name, base_lr, num_warmup_steps, num_training_steps: transformers.get_scheduler(name, base_lr, num_warmup_steps,
                                                                                                  num_training_steps),
          reference=lambda t, name, **kw: _HF_BY_NAME[name](t, **kw), bounds=_hf_bounds),
]


# Keras 3 and TF1 ----------------------------------------------------------------------------------------------------------------


def _keras_exp_args(d: Draw, lr: str = "initial_learning_rate") -> dict:
    return {lr: d.lr(), "decay_steps": d.whole(1, 100_000), "decay_rate": d.pick([0.1, 0.5, d.near_1(0.1)]), "staircase": d.pick([False, True])}


def _keras_poly_args(d: Draw, lr: str = "initial_learning_rate") -> dict:
    return {lr: d.lr(), "decay_steps": d.whole(1, 500_000), "end_learning_rate": d.pick([1e-4, d.lr(-7, -4)]),
            "power": d.pick([1.0, d.unit(0.5, 3.0)]), "cycle": d.pick([False, True])}


def _keras_pw_args(d: Draw) -> dict:
    n = d(st.integers(1, 4))
    return dict(boundaries=sorted(d.whole(0, 500_000) for _ in range(n)), values=[d.lr() for _ in range(n + 1)])


def _keras_cosine_args(d: Draw) -> dict:
    kw = dict(initial_learning_rate=d.lr(), decay_steps=d.whole(1, 500_000), alpha=d.pick([0.0, d.unit(0.0, 0.5)]))
    if d.pick([True, False]):
        kw["initial_learning_rate"] = d.lr(-7, -4)
        kw["warmup_target"], kw["warmup_steps"] = d.lr(), d.whole(0, 50_000)
    return kw


def _keras_restart_args(d: Draw, lr: str = "initial_learning_rate") -> dict:
    return {lr: d.lr(), "first_decay_steps": d.whole(1, 100_000), "t_mul": d.pick([1.0, 2.0, 1.5, d.unit(1.1, 3.0), d.unit(1.0001, 1.1)]),
            "m_mul": d.pick([1.0, d.near_1(0.3)]), "alpha": d.pick([0.0, d.unit(0.0, 0.5)])}


def _tf(reference, lr="learning_rate"):
    """A Keras reference for the TF1 function, which names the learning rate ``learning_rate``."""
    return lambda t, **kw: reference(t, kw.pop(lr), **kw)


KERAS = [
    _case("keras.ExponentialDecay", _keras_exp_args, reference=peers.keras_exponential, bounds=lambda decay_steps, **kw: [decay_steps]),
    _case("keras.PiecewiseConstantDecay", _keras_pw_args, reference=peers.keras_piecewise, bounds=lambda boundaries, **kw: boundaries),
    _case("keras.PolynomialDecay", _keras_poly_args, reference=peers.keras_polynomial,
          bounds=lambda decay_steps, **kw: [decay_steps, 2 * decay_steps]),
    _case("keras.InverseTimeDecay",
          lambda d: dict(initial_learning_rate=d.lr(), decay_steps=d.whole(1, 100_000), decay_rate=d.unit(0.01, 5.0), staircase=d.pick([False, True])),
          reference=peers.keras_inverse_time, bounds=lambda decay_steps, **kw: [decay_steps]),
    _case("keras.CosineDecay", _keras_cosine_args, reference=peers.keras_cosine,
          bounds=lambda decay_steps, warmup_steps=0, **kw: [warmup_steps, warmup_steps + decay_steps]),
    _case("keras.CosineDecayRestarts", _keras_restart_args, reference=peers.keras_cosine_restarts,
          bounds=lambda first_decay_steps, t_mul, **kw: [first_decay_steps, first_decay_steps * (1 + t_mul)]),
    _case("keras.exponential_decay", lambda d: _keras_exp_args(d, "learning_rate"), reference=_tf(peers.keras_exponential),
          bounds=lambda decay_steps, **kw: [decay_steps]),
    _case("keras.natural_exp_decay",
          lambda d: dict(learning_rate=d.lr(), decay_steps=d.whole(1, 100_000), decay_rate=d.pick([1e-4, 1e-3, d.unit(0.0, 3.0)]),
                         staircase=d.pick([False, True])),
          reference=peers.tf_natural_exp, bounds=lambda decay_steps, **kw: [decay_steps]),
    _case("keras.inverse_time_decay",
          lambda d: dict(learning_rate=d.lr(), decay_steps=d.whole(1, 100_000), decay_rate=d.unit(0.01, 5.0), staircase=d.pick([False, True])),
          reference=_tf(peers.keras_inverse_time), bounds=lambda decay_steps, **kw: [decay_steps]),
    _case("keras.polynomial_decay", lambda d: _keras_poly_args(d, "learning_rate"), reference=_tf(peers.keras_polynomial),
          bounds=lambda decay_steps, **kw: [decay_steps, 2 * decay_steps]),
    _case("keras.piecewise_constant", _keras_pw_args, reference=peers.keras_piecewise, bounds=lambda boundaries, **kw: boundaries),
    _case("keras.cosine_decay",
          lambda d: dict(learning_rate=d.lr(), decay_steps=d.whole(1, 500_000), alpha=d.pick([0.0, d.unit(0.0, 0.5)])),
          reference=_tf(peers.keras_cosine), bounds=lambda decay_steps, **kw: [decay_steps]),
    _case("keras.cosine_decay_restarts", lambda d: _keras_restart_args(d, "learning_rate"), reference=_tf(peers.keras_cosine_restarts),
          bounds=lambda first_decay_steps, t_mul, **kw: [first_decay_steps, first_decay_steps * (1 + t_mul)]),
    _case("keras.linear_cosine_decay",
          lambda d: dict(learning_rate=d.lr(), decay_steps=d.whole(1, 500_000), num_periods=d.pick([0.5, *CYCLES]),
                         alpha=d.pick([0.0, d.unit(0.0, 0.5)]), beta=d.pick([0.001, d.unit(0.0, 0.1)])),
          reference=peers.tf_linear_cosine, bounds=lambda decay_steps, **kw: [decay_steps]),
]

CASES = OPTAX + TORCH + TIMM + TRANSFORMERS + KERAS


def _references(case: Case, steps: np.ndarray, kwargs: dict) -> np.ndarray:
    if case.id == "torch.MultiplicativeLR":
        return peers.torch_multiplicative_at(steps, kwargs["base_lr"], lambda j: kwargs["gamma"])
    return np.array([case.reference(float(t), **kwargs) for t in steps], np.float64)


def test_every_compat_function_is_covered():
    public = {f"{name}.{f}" for name, module in MODULES.items() for f in module.__all__}
    covered = {c.covers for c in CASES}
    assert not (covered | set(EXEMPT)) - public, "cases or exemptions for functions that are not public"
    assert not public - covered - set(EXEMPT), f"compat functions without a precision case: {sorted(public - covered - set(EXEMPT))}"
    assert not covered & set(EXEMPT)


@pytest.mark.parametrize("case", CASES, ids=repr)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_within_1e_6_of_the_peer_in_float64_up_to_step_1e6(case, data):
    kwargs = case.draw(Draw(data))
    schedule = made(case, kwargs)
    near = np.array(case.bounds(**kwargs), np.float64)
    near = np.floor(near[np.isfinite(near)])[:, None] + np.array([-1, 0, 1])
    steps = sampled_steps(data, near)
    expected = _references(case, steps, kwargs)
    ours = evaluate(schedule, jnp.asarray(steps, jnp.int32))
    try:
        check(ours, expected)
    except AssertionError as e:
        raise AssertionError(f"{case.id} {kwargs}: {e}") from None
