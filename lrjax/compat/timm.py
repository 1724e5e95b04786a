"""timm's ``timm.scheduler`` classes, with ``base_lr`` for the optimizer, as lrjax schedules.

The value at step ``t`` is the lr timm sets in ``step_update(t)`` with
``t_in_epochs=False`` (for epochs, wrap the schedule in `lrjax.per_epoch`).
timm itself is not imported. Its conventions are kept: the warmup from
``warmup_lr_init`` to ``base_lr`` overlaps the main curve unless
``warmup_prefix`` (so the lr jumps at ``warmup_t`` for cosine and poly, while
tanh warms up to its own value there), the cycle peak decays by
``cycle_decay`` but ``lr_min`` does not, ``lr_min`` holds after
``cycle_limit`` cycles, and `MultiStepLRScheduler` decays one step before each
milestone.

**Where lrjax differs:**

- Cycles are found exactly (`lrjax.restart`); timm's float logarithm misrounds
  some cycle starts (``t_initial=1, cycle_mul=3``: step 121 gives ``lr_min``
  instead of the peak). ``cycle_mul`` must be >= 1.
- Noise: within ``noise_range_t`` the lr is multiplied by ``1 + e``, ``e``
  normal with standard deviation ``noise_std`` conditioned on ``|e| <
  noise_pct`` (timm resamples until it is), drawn by `lrjax.noise` from
  ``noise_seed`` and the step. The draws are deterministic per step, like
  timm's per-step seeding, but not torch's generator's numbers.
- ``k_decay != 1``, `WSDLRScheduler`'s ``"rsqrt"``/``"power"`` stable phase
  and its ``"power"``, ``"exp"`` or callable decay are Python functions of the step
  (`lrjax.from_fn`), so such a schedule has no config or expression;
  ``t_in_epochs`` and ``initialize`` are not taken.
- `PlateauLRScheduler` is the `lrjax.plateau` controller of the torch
  scheduler timm wraps; its warmup and noise are not taken (`ValueError`).

The factory `create_scheduler_v2` (and `scheduler_kwargs`) builds the schedule
a timm config names, for every name timm accepts, and returns it with timm's
total epoch count; the timm schedulers' ``get_cycle_length()`` is the function
`get_cycle_length`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._algebra import blend, clip, per_epoch, shift
from .._anneal import cosine, linear, polynomial, tanh
from .._arith import concrete
from .._cycle import restart
from .._decay import multistep, step_decay
from .._fields import Param
from .._from_fn import from_fn
from .._join import join
from .._noise import noise
from .._piecewise import piecewise_constant
from .._plateau import plateau
from .._ramps import cooldown
from .._schedule import Schedule, constant
from . import torch as _torch
from ._common import FLOAT, as_float, computed, concretely, is_zero, number, one, related, warmed

__all__ = [
    "CosineLRScheduler",
    "TanhLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "MultiStepLRScheduler",
    "WSDLRScheduler",
    "PlateauLRScheduler",
    "get_cycle_length",
    "create_scheduler_v2",
    "scheduler_kwargs",
]

_NO_STEP_REACHES = 2.0**31


def _k_left(x: jax.Array, steps: jax.Array, k_decay: jax.Array) -> jax.Array:
    """``1 - (x / steps) ** k_decay`` without cancelling near the cycle's end: ``-expm1(k log1p(-(steps - x) / steps))``.

    ``steps - x`` is exact for whole steps, so the result keeps every digit as it goes to 0.
    """
    left = jnp.clip((steps - x) / steps, 0, 1)
    return jnp.where(left < 1, -jnp.expm1(k_decay * jnp.log1p(-jnp.minimum(left, 0.99999994))), 1)


def _k_cosine(x: jax.Array, steps: jax.Array, k_decay: jax.Array) -> jax.Array:
    """``(1 + cos(pi * (x / steps) ** k_decay)) / 2 = sin(pi/2 * (1 - (x / steps) ** k_decay)) ** 2``: timm's cosine with k-decay."""
    return jnp.sin(0.5 * jnp.pi * _k_left(x, steps, k_decay)) ** 2


def _k_poly(x: jax.Array, steps: jax.Array, k_decay: jax.Array, power: jax.Array) -> jax.Array:
    """``(1 - (x / steps) ** k_decay) ** power``: timm's poly with k-decay, 1 down to 0 over a cycle."""
    return _k_left(x, steps, k_decay) ** power


def _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, weight: Schedule) -> Schedule:  # noqa: ANN001
    r"""timm's cycles: :math:`lr_{min} + (base \cdot decay^i - lr_{min})\,w` in cycle :math:`i < limit`, then :math:`lr_{min}`.

    ``weight`` runs from 1 to 0 over ``t_initial`` steps; cycle ``i`` stretches
    it over ``t_initial * cycle_mul**i`` steps.
    """
    def end_of(xp, t, m, n):  # noqa: ANN001, ANN202
        # The end of cycle `limit`: t_initial * limit, or t_initial (mult**limit - 1) / (mult - 1); in float64 when concrete.
        with np.errstate(over="ignore"):
            geometric = t * (m ** xp.minimum(n, 4096) - 1) / xp.where(m == 1, 1, m - 1)
        return xp.reshape(xp.minimum(xp.where(m == 1, t * n, geometric), _NO_STEP_REACHES), (1,))

    end = computed(end_of, t_initial, cycle_mul, cycle_limit)
    # As given: a Python float keeps its float64 digits in restart's leaves (float32's 1.928... moved cycle 4's start 1.5e-6 steps).
    peaks = restart(constant(base_lr), period=t_initial, mult=cycle_mul, factor=cycle_decay)
    running = piecewise_constant(jnp.array([1.0, 0.0], FLOAT), boundaries=end)
    return blend(constant(lr_min), peaks, weight=restart(weight, period=t_initial, mult=cycle_mul) * running)


def _warmed(main: Schedule, base_lr, warmup_t, warmup_lr_init, warmup_prefix: bool, to_main: bool = False) -> Schedule:  # noqa: ANN001
    """timm's warmup: linear from ``warmup_lr_init`` for ``warmup_t`` steps, to ``base_lr`` (or, ``to_main``, to the curve there)."""
    if is_zero(warmup_t):
        return main
    if warmup_prefix:
        return join([linear(warmup_lr_init, base_lr, steps=warmup_t), main], boundaries=one(warmup_t))
    if to_main:
        return warmed("TanhLRScheduler", "warmup_t", main, warmup_t, init=warmup_lr_init, prefix=False)  # (the only to_main caller)
    during = piecewise_constant(jnp.array([0.0, 1.0], FLOAT), boundaries=one(warmup_t))
    return blend(linear(warmup_lr_init, base_lr, steps=warmup_t), main, weight=during)


def _noisy(lr: Schedule, noise_range_t, noise_pct, noise_std, noise_seed) -> Schedule:  # noqa: ANN001
    if noise_range_t is None:
        return lr
    if isinstance(noise_range_t, (list, tuple)):
        start, stop = noise_range_t
        window = piecewise_constant(jnp.array([0.0, 1.0, 0.0], FLOAT), boundaries=jnp.stack([as_float(start), as_float(stop)]))
    else:
        window = piecewise_constant(jnp.array([0.0, 1.0], FLOAT), boundaries=jnp.reshape(as_float(noise_range_t), (1,)))
    std = as_float(noise_std)
    bound = as_float(noise_pct) / jnp.maximum(std, np.finfo(np.float32).tiny)
    return lr * (1 + window * std * noise(seed=noise_seed, bound=bound))


def _check_cycles(where: str, t_initial, cycle_mul, lr_min, cycle_limit, warmup_t, warmup_lr_init) -> None:  # noqa: ANN001
    """timm's asserts on concrete values, as lrjax's ValueErrors (and ``cycle_mul >= 1``, which lrjax's restarts need)."""
    Param("value", gt=0).convert(where, "t_initial", t_initial)
    Param("value", ge=1).convert(where, "cycle_mul", cycle_mul)
    for name, value in (("lr_min", lr_min), ("cycle_limit", cycle_limit), ("warmup_t", warmup_t), ("warmup_lr_init", warmup_lr_init)):
        Param("value", ge=0).convert(where, name, value)


def CosineLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    t_initial: ArrayLike,
    lr_min: ArrayLike = 0.0,
    cycle_mul: ArrayLike = 1.0,
    cycle_decay: ArrayLike = 1.0,
    cycle_limit: ArrayLike = 1,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    warmup_prefix: bool = False,
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike = 42,
    k_decay: ArrayLike = 1.0,
) -> Schedule:
    r"""timm's ``CosineLRScheduler``: :math:`lr_{min} + \tfrac12(base\,decay^i - lr_{min})(1 + \cos(\pi\,t_c^k / t_i^k))`.

    >>> from lrjax.compat import timm
    >>> s = timm.CosineLRScheduler(1.0, t_initial=4, cycle_decay=0.5, cycle_limit=3)
    >>> [round(float(s(t)), 3) for t in (0, 2, 4, 8, 12)]
    [1.0, 0.5, 0.5, 0.25, 0.0]
    """
    _check_cycles("CosineLRScheduler", t_initial, cycle_mul, lr_min, cycle_limit, warmup_t, warmup_lr_init)
    weight = cosine(1.0, steps=t_initial) if concretely(k_decay, lambda v: v == 1) else from_fn(_k_cosine, steps=t_initial, k_decay=k_decay)
    main = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, weight)
    return _noisy(_warmed(main, base_lr, warmup_t, warmup_lr_init, warmup_prefix), noise_range_t, noise_pct, noise_std, noise_seed)


def PolyLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    t_initial: ArrayLike,
    power: ArrayLike = 0.5,
    lr_min: ArrayLike = 0.0,
    cycle_mul: ArrayLike = 1.0,
    cycle_decay: ArrayLike = 1.0,
    cycle_limit: ArrayLike = 1,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    warmup_prefix: bool = False,
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike = 42,
    k_decay: ArrayLike = 1.0,
) -> Schedule:
    r"""timm's ``PolyLRScheduler``: :math:`lr_{min} + (base\,decay^i - lr_{min})(1 - t_c^k / t_i^k)^{power}`.

    >>> from lrjax.compat import timm
    >>> s = timm.PolyLRScheduler(1.0, t_initial=100, power=1.0, warmup_t=10, warmup_lr_init=0.1)
    >>> [round(float(s(t)), 3) for t in (0, 5, 10, 50, 100)]
    [0.1, 0.55, 0.9, 0.5, 0.0]
    """
    _check_cycles("PolyLRScheduler", t_initial, cycle_mul, lr_min, cycle_limit, warmup_t, warmup_lr_init)
    if concretely(k_decay, lambda v: v == 1):
        weight = polynomial(1.0, 0.0, steps=t_initial, power=power)
    else:
        weight = from_fn(_k_poly, steps=t_initial, k_decay=k_decay, power=power)
    main = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, weight)
    return _noisy(_warmed(main, base_lr, warmup_t, warmup_lr_init, warmup_prefix), noise_range_t, noise_pct, noise_std, noise_seed)


def TanhLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    t_initial: ArrayLike,
    lb: ArrayLike = -7.0,
    ub: ArrayLike = 3.0,
    lr_min: ArrayLike = 0.0,
    cycle_mul: ArrayLike = 1.0,
    cycle_decay: ArrayLike = 1.0,
    cycle_limit: ArrayLike = 1,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    warmup_prefix: bool = False,
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike = 42,
) -> Schedule:
    r"""timm's ``TanhLRScheduler``: :math:`lr_{min} + \tfrac12(base\,decay^i - lr_{min})(1 - \tanh(lb(1 - r) + ub\,r))`, :math:`r = t_c / t_i`.

    Without ``warmup_prefix`` the warmup ends on the curve's own value at ``warmup_t``.

    >>> from lrjax.compat import timm
    >>> s = timm.TanhLRScheduler(1.0, t_initial=100)
    >>> [round(float(s(t)), 4) for t in (0, 70, 100)]
    [1.0, 0.5, 0.0]
    """
    _check_cycles("TanhLRScheduler", t_initial, cycle_mul, lr_min, cycle_limit, warmup_t, warmup_lr_init)
    lower, upper = np.asarray(lb) if concrete(lb) is not None else None, np.asarray(ub) if concrete(ub) is not None else None
    if lower is not None and upper is not None and not np.all(lower < upper):
        raise ValueError(f"TanhLRScheduler: lb must be < ub, got lb={lb}, ub={ub}")
    main = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, tanh(1.0, 0.0, steps=t_initial, lower=lb, upper=ub))
    lr = _warmed(main, base_lr, warmup_t, warmup_lr_init, warmup_prefix, to_main=True)
    return _noisy(lr, noise_range_t, noise_pct, noise_std, noise_seed)


def StepLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    decay_t: ArrayLike,
    decay_rate: ArrayLike = 1.0,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    warmup_prefix: bool = True,
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike = 42,
) -> Schedule:
    r"""timm's ``StepLRScheduler``: :math:`base \cdot rate^{\lfloor t / decay\_t \rfloor}` (note the default rate of 1).

    >>> from lrjax.compat import timm
    >>> s = timm.StepLRScheduler(1.0, decay_t=10, decay_rate=0.5, warmup_t=5)
    >>> [round(float(s(t)), 3) for t in (0, 4, 5, 15)]
    [0.0, 0.8, 1.0, 0.5]
    """
    main = step_decay(base_lr, factor=decay_rate, steps=decay_t)
    return _noisy(_warmed(main, base_lr, warmup_t, warmup_lr_init, warmup_prefix), noise_range_t, noise_pct, noise_std, noise_seed)


def MultiStepLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    decay_t: Sequence[ArrayLike] | ArrayLike,
    decay_rate: ArrayLike = 1.0,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    warmup_prefix: bool = True,
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike = 42,
) -> Schedule:
    r"""timm's ``MultiStepLRScheduler``: :math:`base \cdot rate^{\#\{m \le t + 1\}}`, one step before each milestone as timm documents.

    >>> from lrjax.compat import timm
    >>> s = timm.MultiStepLRScheduler(1.0, decay_t=[10, 20], decay_rate=0.5)
    >>> print(s(8), s(9), s(19))
    1.0 0.5 0.25
    """
    milestones = jnp.maximum(as_float(decay_t) - 1, 0)
    main = multistep(base_lr, boundaries=milestones, factor=decay_rate)
    return _noisy(_warmed(main, base_lr, warmup_t, warmup_lr_init, warmup_prefix), noise_range_t, noise_pct, noise_std, noise_seed)


def _stable_power(t: jax.Array, steps: jax.Array, power: jax.Array) -> jax.Array:
    """``(1 + t / steps) ** -power``: timm's ``"rsqrt"`` (power 0.5) and ``"power"`` stable phases, ``steps`` the timescale."""
    return (1 + t / steps) ** -power


def _power_decay(t: jax.Array, steps: jax.Array, power: jax.Array) -> jax.Array:
    """``1 - (t / steps) ** power``: timm's ``"power"`` decay, 1 down to 0 over ``steps``."""
    return 1 - jnp.clip(t / steps, 0, 1) ** power


def _exp_decay(t: jax.Array, steps: jax.Array, ratio: jax.Array) -> jax.Array:
    """``(ratio ** f - ratio) / (1 - ratio)``, ``f = min(t / steps, 1)``: timm's ``"exp"`` decay, 1 down to 0 over ``steps``.

    Computed as ``ratio / (1 - ratio) * expm1(-log(ratio) * (1 - f))``, which does not cancel
    near ``f = 1`` as the difference does. A traced ``ratio`` is held in (0, 1).
    """
    eps = jnp.finfo(jnp.result_type(ratio)).eps
    r = jnp.clip(ratio, eps, 1 - eps)
    left = jnp.clip((steps - t) / steps, 0, 1)
    return r / (1 - r) * jnp.expm1(-jnp.log(r) * left)


@dataclasses.dataclass(frozen=True)
class _DecayFn:
    """A user's ``decay_fn(frac)`` applied to the decay progress ``min(t / steps, 1)``."""

    decay_fn: Callable[[jax.Array], ArrayLike]

    @property
    def __name__(self) -> str:
        return getattr(self.decay_fn, "__name__", "decay_fn")

    def __call__(self, t: jax.Array, steps: jax.Array) -> jax.Array:
        return jnp.asarray(self.decay_fn(jnp.clip(t / steps, 0, 1)), t.dtype)


_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def WSDLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    t_initial: ArrayLike,
    decay_t: ArrayLike,
    lr_min: ArrayLike = 0.0,
    stable_fn: str = "constant",
    stable_timescale: ArrayLike | None = None,
    stable_power: ArrayLike = 0.5,
    decay_fn: str | Callable[[jax.Array], ArrayLike] = "1-sqrt",
    decay_power: ArrayLike = 0.5,
    decay_ratio: ArrayLike = 0.1,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike = 42,
) -> Schedule:
    r"""timm's ``WSDLRScheduler``: warmup (a prefix), a stable phase, and a decay over the last ``decay_t`` of ``t_initial`` steps.

    With :math:`t_s = t - warmup\_t`: :math:`lr_{min} + (\max(base\,\sigma(t_s), lr_{min}) - lr_{min})\,d(f)`,
    :math:`f = \min(\max(t_s - (t_{initial} - decay\_t), 0) / decay\_t, 1)`; :math:`\sigma` is 1
    (``"constant"``) or :math:`(1 + t_s / \tau)^{-p}` (``"rsqrt"``, :math:`p = 0.5`; ``"power"``),
    :math:`\tau` = ``stable_timescale`` or ``warmup_t``; :math:`d` is ``"1-sqrt"``
    :math:`1 - \sqrt f`, ``"linear"`` :math:`1 - f`, ``"cosine"`` :math:`\tfrac12(1 + \cos \pi f)`,
    ``"power"`` :math:`1 - f^{decay\_power}`, ``"exp"`` :math:`(r^f - r) / (1 - r)` with ``r = decay_ratio``,
    or a jittable ``decay_fn(f)``. ``lr_min`` is reached at ``warmup_t + t_initial`` and held.

    >>> from lrjax.compat import timm
    >>> s = timm.WSDLRScheduler(1.0, t_initial=100, decay_t=20, decay_fn="linear", warmup_t=10)
    >>> [round(float(s(t)), 3) for t in (0, 5, 10, 90, 100, 110, 200)]
    [0.0, 0.5, 1.0, 1.0, 0.5, 0.0, 0.0]
    """
    where = "WSDLRScheduler"
    number(where, "t_initial", t_initial, gt=0)
    related(where, f"decay_t must be in (0, t_initial] w/ t_initial={t_initial}", lambda d, t: (d > 0) & (d <= t), d=decay_t, t=t_initial)
    number(where, "lr_min", lr_min, ge=0)
    number(where, "decay_ratio", decay_ratio, gt=0, lt=1)
    number(where, "decay_power", decay_power, gt=0)
    number(where, "stable_power", stable_power, gt=0)
    if stable_fn not in _STABLE_FNS:
        raise ValueError(f"Invalid stable_fn ({stable_fn}), must be one of {_STABLE_FNS}.")
    if isinstance(decay_fn, str) and decay_fn not in _DECAY_FNS:
        raise ValueError(f"Invalid decay_fn ({decay_fn}), must be one of {_DECAY_FNS} or a callable.")
    base = as_float(base_lr)
    if stable_fn == "constant":
        stable = constant(base)
    else:
        timescale = warmup_t if stable_timescale is None else stable_timescale
        if concretely(timescale, lambda v: v <= 0):
            raise ValueError(
                f"stable_fn={stable_fn} requires a positive stable_timescale, it defaults to warmup_t ({warmup_t}), "
                "set it explicitly when there is no warmup."
            )
        power = 0.5 if stable_fn == "rsqrt" else stable_power
        stable = clip(base * from_fn(_stable_power, steps=timescale, power=power), min=lr_min)
    d = as_float(decay_t)
    if callable(decay_fn):
        decay = from_fn(_DecayFn(decay_fn), steps=d)
    elif decay_fn == "linear":
        decay = linear(1.0, end=0.0, steps=d)
    elif decay_fn == "1-sqrt":
        decay = cooldown(constant(1.0), steps=d, total_steps=d, shape="sqrt")
    elif decay_fn == "cosine":
        decay = cosine(1.0, steps=d)
    elif decay_fn == "power":
        decay = from_fn(_power_decay, steps=d, power=decay_power)
    else:
        decay = from_fn(_exp_decay, steps=d, ratio=decay_ratio)
    main = blend(constant(lr_min), stable, weight=shift(decay, steps=as_float(t_initial) - d))
    lr = _warmed(main, base_lr, warmup_t, warmup_lr_init, warmup_prefix=True)
    return _noisy(lr, noise_range_t, noise_pct, noise_std, noise_seed)


def PlateauLRScheduler(  # noqa: N802
    base_lr: ArrayLike,
    decay_rate: ArrayLike = 0.1,
    patience_t: ArrayLike = 10,
    threshold: ArrayLike = 1e-4,
    cooldown_t: ArrayLike = 0,
    warmup_t: ArrayLike = 0,
    warmup_lr_init: ArrayLike = 0.0,
    lr_min: ArrayLike = 0.0,
    mode: str = "max",
    noise_range_t: ArrayLike | Sequence[ArrayLike] | None = None,
    noise_type: str = "normal",
    noise_pct: ArrayLike = 0.67,
    noise_std: ArrayLike = 1.0,
    noise_seed: ArrayLike | None = None,
) -> plateau:
    """timm's ``PlateauLRScheduler``: the `lrjax.plateau` controller of the torch ``ReduceLROnPlateau`` it wraps.

    The lr is ``base_lr * state.scale``; feed the metric of each epoch as timm's
    train loop does with ``step(epoch + 1, metric)``. timm's arguments map to
    torch's (``decay_rate`` is ``factor``, ``patience_t`` ``patience``,
    ``cooldown_t`` ``cooldown``, ``lr_min`` ``min_lr``; the threshold is
    relative), and ``mode`` defaults to ``"max"`` (an accuracy). timm's warmup
    (metrics ignored up to ``warmup_t``) and noise (a perturbation removed
    before the next metric) are not taken: a `ValueError` says so.

    >>> from lrjax.compat import timm
    >>> controller = timm.PlateauLRScheduler(0.1, patience_t=1)
    >>> state = controller.init()
    >>> for accuracy in [0.5, 0.5, 0.5]:
    ...     state = controller.update(state, accuracy)
    >>> print(state.scale)
    0.1
    """
    if concretely(warmup_t, lambda v: v != 0):
        raise ValueError(
            "PlateauLRScheduler: warmup_t is not taken; warm up with lrjax.linear(warmup_lr_init, end=base_lr, steps=warmup_t) "
            "for epochs up to warmup_t and feed the controller the metrics after it"
        )
    if noise_range_t is not None:
        raise ValueError("PlateauLRScheduler: noise_range_t is not taken; multiply the lr by (1 + noise) yourself (lrjax.noise)")
    return _torch.ReduceLROnPlateau(base_lr, mode=mode, factor=decay_rate, patience=patience_t, threshold=threshold, cooldown=cooldown_t,
                                    min_lr=lr_min)


def get_cycle_length(
    t_initial: ArrayLike,
    cycle_mul: ArrayLike = 1.0,
    cycle_limit: ArrayLike = 1,
    warmup_t: ArrayLike = 0,
    warmup_prefix: bool = False,
    cycles: ArrayLike = 0,
) -> Any:
    r"""The ``get_cycle_length(cycles)`` of timm's cosine, poly and tanh schedulers: the steps their cycles take.

    ``cycles`` (0: ``cycle_limit``, at least 1) cycles of ``t_initial *
    cycle_mul**i`` steps: :math:`t_{initial} \cdot cycles`, or
    :math:`\lfloor t_{initial} (m^{cycles} - 1) / (m - 1) \rfloor`; plus
    ``warmup_t`` with ``warmup_prefix``. (timm's `WSDLRScheduler` has
    ``warmup_t + t_initial``.) A Python number for Python arguments.

    >>> from lrjax.compat import timm
    >>> timm.get_cycle_length(100, cycle_mul=2.0, cycle_limit=3, warmup_t=5, warmup_prefix=True)
    705
    """
    values = [concrete(x) for x in (t_initial, cycle_mul, cycle_limit, warmup_t, cycles)]
    if all(v is not None for v in values):
        t, mul, limit, w, n = (v.item() for v in values)
        n = max(1, n or limit)
        length = t * n if mul == 1.0 else int(math.floor(-t * (mul**n - 1) / (1 - mul)))
        return length + w if warmup_prefix else length
    t, mul, limit, w, n = (as_float(x) for x in (t_initial, cycle_mul, cycle_limit, warmup_t, cycles))
    n = jnp.maximum(1, jnp.where(n == 0, limit, n))
    length = jnp.where(mul == 1, t * n, jnp.floor(t * (mul**n - 1) / jnp.where(mul == 1, 1, mul - 1)))
    return length + w if warmup_prefix else length


def scheduler_kwargs(cfg: Any, decreasing_metric: bool | None = None) -> dict[str, Any]:
    """timm's ``scheduler_kwargs``: `create_scheduler_v2`'s keyword arguments from an argparse namespace or config, with timm's defaults.

    >>> import types
    >>> from lrjax.compat import timm
    >>> kwargs = timm.scheduler_kwargs(types.SimpleNamespace(sched="cosine", epochs=10, eval_metric="loss"))
    >>> kwargs["num_epochs"], kwargs["warmup_epochs"], kwargs["plateau_mode"]
    (10, 5, 'min')
    """
    eval_metric = getattr(cfg, "eval_metric", "top1")
    if decreasing_metric is not None:
        plateau_mode = "min" if decreasing_metric else "max"
    else:
        plateau_mode = "min" if "loss" in eval_metric else "max"
    return dict(
        sched=cfg.sched,
        num_epochs=getattr(cfg, "epochs", 100),
        decay_epochs=getattr(cfg, "decay_epochs", 30),
        decay_milestones=getattr(cfg, "decay_milestones", [30, 60]),
        warmup_epochs=getattr(cfg, "warmup_epochs", 5),
        cooldown_epochs=getattr(cfg, "cooldown_epochs", 0),
        patience_epochs=getattr(cfg, "patience_epochs", 10),
        decay_rate=getattr(cfg, "decay_rate", 0.1),
        min_lr=getattr(cfg, "min_lr", 0.0),
        warmup_lr=getattr(cfg, "warmup_lr", 1e-5),
        warmup_prefix=getattr(cfg, "warmup_prefix", False),
        noise=getattr(cfg, "lr_noise", None),
        noise_pct=getattr(cfg, "lr_noise_pct", 0.67),
        noise_std=getattr(cfg, "lr_noise_std", 1.0),
        noise_seed=getattr(cfg, "seed", 42),
        cycle_mul=getattr(cfg, "lr_cycle_mul", 1.0),
        cycle_decay=getattr(cfg, "lr_cycle_decay", 0.1),
        cycle_limit=getattr(cfg, "lr_cycle_limit", 1),
        k_decay=getattr(cfg, "lr_k_decay", 1.0),
        decay_fn=getattr(cfg, "lr_decay_fn", None),
        stable_timescale=getattr(cfg, "lr_stable_timescale", None),
        plateau_mode=plateau_mode,
        step_on_epochs=not getattr(cfg, "sched_on_updates", False),
    )


#: The ``sched`` names `create_scheduler_v2` accepts, as timm 1.0.31 does.
SCHEDULERS = ("cosine", "tanh", "step", "constant", "multistep", "plateau", "poly", "wsd", "rsqrt", "none")


def create_scheduler_v2(
    base_lr: ArrayLike,
    sched: str = "cosine",
    num_epochs: int = 300,
    decay_epochs: float | None = None,
    decay_milestones: Sequence[int] = (90, 180, 270),
    cooldown_epochs: int = 0,
    patience_epochs: int = 10,
    decay_rate: float = 0.1,
    min_lr: float = 0.0,
    warmup_lr: float = 1e-5,
    warmup_epochs: int = 0,
    warmup_prefix: bool = False,
    noise: float | Sequence[float] | None = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    cycle_mul: float = 1.0,
    cycle_decay: float = 0.1,
    cycle_limit: int = 1,
    k_decay: float = 1.0,
    decay_fn: str | None = None,
    stable_timescale: float | None = None,
    plateau_mode: str = "max",
    step_on_epochs: bool = True,
    updates_per_epoch: int = 0,
) -> tuple[Schedule | plateau | None, int]:
    """timm's ``create_scheduler_v2``: ``(schedule, total epochs)`` for the scheduler ``sched`` names, from a timm config.

    ``sched`` is one of `SCHEDULERS`: the compat scheduler timm builds with the
    same arguments (``"constant"`` is a step schedule that never decays,
    ``"poly"`` takes ``decay_rate`` as its power, ``"wsd"``/``"rsqrt"`` are
    `WSDLRScheduler` with a constant or rsqrt stable phase, ``"plateau"`` the
    `PlateauLRScheduler` controller, ``"none"`` gives ``None``); other names
    raise timm's `ValueError`. The total is timm's: the cycles' length plus the
    cooldown for cosine, tanh, poly, wsd and rsqrt, else ``num_epochs`` (plus the
    warmup with ``warmup_prefix``).

    With ``step_on_epochs`` (timm's default) timm steps per epoch: given
    ``updates_per_epoch``, the schedule is wrapped in `lrjax.per_epoch` so that
    its argument is the optimizer step; without it, its argument is the epoch.
    Otherwise every length is multiplied by ``updates_per_epoch``, as in timm.

    >>> from lrjax.compat import timm
    >>> s, epochs = timm.create_scheduler_v2(0.1, "cosine", num_epochs=100, warmup_epochs=5, warmup_prefix=True, cooldown_epochs=10)
    >>> epochs, round(float(s(5)), 4), round(float(s(55)), 4)
    (115, 0.1, 0.05)
    """
    if sched not in SCHEDULERS:
        raise ValueError(f"Unknown scheduler '{sched}'.")
    if decay_epochs is None:
        decay_epochs = 0.2 if sched in ("wsd", "rsqrt") else 90
    t_initial, warmup_t, decay_t, cooldown_t, timescale_t = num_epochs, warmup_epochs, decay_epochs, cooldown_epochs, stable_timescale
    if not step_on_epochs:
        if not updates_per_epoch > 0:
            raise ValueError("updates_per_epoch must be set to number of dataloader batches")
        t_initial, warmup_t, decay_t, cooldown_t = (x * updates_per_epoch for x in (t_initial, warmup_t, decay_t, cooldown_t))
        decay_milestones = [d * updates_per_epoch for d in decay_milestones]
        if timescale_t is not None:
            timescale_t = timescale_t * updates_per_epoch
    warmup_args = dict(warmup_lr_init=warmup_lr, warmup_t=warmup_t, warmup_prefix=warmup_prefix)
    if noise is None:
        noise_range = None
    elif isinstance(noise, (list, tuple)):
        noise_range = [n * t_initial for n in noise]
        noise_range = noise_range[0] if len(noise_range) == 1 else noise_range
    else:
        noise_range = noise * t_initial
    noise_args = dict(noise_range_t=noise_range, noise_pct=noise_pct, noise_std=noise_std, noise_seed=noise_seed)
    cycle_args = dict(cycle_mul=cycle_mul, cycle_decay=cycle_decay, cycle_limit=cycle_limit)
    lr: Schedule | plateau | None = None
    cycle_length = None
    if sched == "cosine":
        lr = CosineLRScheduler(base_lr, t_initial, lr_min=min_lr, **cycle_args, **warmup_args, **noise_args, k_decay=k_decay)
    elif sched == "tanh":
        lr = TanhLRScheduler(base_lr, t_initial, lr_min=min_lr, **cycle_args, **warmup_args, **noise_args)
    elif sched == "step":
        lr = StepLRScheduler(base_lr, decay_t, decay_rate, **warmup_args, **noise_args)
    elif sched == "constant":
        lr = StepLRScheduler(base_lr, 1, 1.0, **warmup_args, **noise_args)
    elif sched == "multistep":
        lr = MultiStepLRScheduler(base_lr, list(decay_milestones), decay_rate, **warmup_args, **noise_args)
    elif sched == "plateau":
        if not step_on_epochs:
            raise ValueError("Plateau LR only supports step per epoch.")
        lr = PlateauLRScheduler(base_lr, decay_rate, patience_epochs, cooldown_t=0, warmup_t=warmup_t, warmup_lr_init=warmup_lr,
                                lr_min=min_lr, mode=plateau_mode, **noise_args)
    elif sched == "poly":
        lr = PolyLRScheduler(base_lr, t_initial, power=decay_rate, lr_min=min_lr, k_decay=k_decay, **cycle_args, **warmup_args, **noise_args)
    elif sched in ("wsd", "rsqrt"):
        t_sched = t_initial if warmup_prefix else t_initial - warmup_t
        if 0 < decay_epochs < 1:
            decay_t = decay_epochs * t_sched
        decay_t = int(round(decay_t))
        if not 0 < decay_t <= t_sched:
            raise ValueError(
                f'{sched} schedule requires 0 < decay_epochs <= epochs{"" if warmup_prefix else " - warmup_epochs"}, '
                f"got decay {decay_t} and stable + decay length {t_sched}."
            )
        lr = WSDLRScheduler(base_lr, t_sched, decay_t, lr_min=min_lr, stable_fn="rsqrt" if sched == "rsqrt" else "constant",
                            stable_timescale=timescale_t, decay_fn=decay_fn or ("linear" if sched == "rsqrt" else "1-sqrt"),
                            warmup_t=warmup_t, warmup_lr_init=warmup_lr, **noise_args)
        cycle_length = warmup_t + t_sched
    if sched in ("cosine", "tanh", "poly"):
        cycle_length = get_cycle_length(t_initial, cycle_mul, cycle_limit, warmup_t, warmup_prefix)
    if cycle_length is not None:
        total = cycle_length + cooldown_t
        num_epochs = total if step_on_epochs else total // updates_per_epoch
    elif warmup_prefix:
        num_epochs += warmup_epochs
    if step_on_epochs and updates_per_epoch > 0 and isinstance(lr, Schedule):
        lr = per_epoch(lr, steps_per_epoch=updates_per_epoch)
    return lr, num_epochs
