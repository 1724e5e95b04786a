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
- ``k_decay != 1`` is a Python function of the step (`lrjax.from_fn`), so such
  a schedule has no config or expression; ``t_in_epochs`` and ``initialize``
  are not taken.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._algebra import blend
from .._anneal import cosine, linear, polynomial, tanh
from .._fields import Param
from .._cycle import restart
from .._decay import multistep, step_decay
from .._from_fn import from_fn
from .._join import join
from .._noise import noise
from .._piecewise import piecewise_constant
from .._ramps import warmup
from .._schedule import Schedule, constant
from .._arith import concrete
from ._common import FLOAT, as_float, concretely, one

__all__ = [
    "CosineLRScheduler",
    "TanhLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "MultiStepLRScheduler",
]

_NO_STEP_REACHES = 2.0**31


def _k_cosine(x: jax.Array, steps: jax.Array, k_decay: jax.Array) -> jax.Array:
    """``(1 + cos(pi * (x / steps) ** k_decay)) / 2``: timm's cosine with k-decay, 1 down to 0 over a cycle."""
    return 0.5 * (1 + jnp.cos(jnp.pi * jnp.clip(x / steps, 0, 1) ** k_decay))


def _k_poly(x: jax.Array, steps: jax.Array, k_decay: jax.Array, power: jax.Array) -> jax.Array:
    """``(1 - (x / steps) ** k_decay) ** power``: timm's poly with k-decay, 1 down to 0 over a cycle."""
    return (1 - jnp.clip(x / steps, 0, 1) ** k_decay) ** power


def _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, weight: Schedule) -> Schedule:  # noqa: ANN001
    r"""timm's cycles: :math:`lr_{min} + (base \cdot decay^i - lr_{min})\,w` in cycle :math:`i < limit`, then :math:`lr_{min}`.

    ``weight`` runs from 1 to 0 over ``t_initial`` steps; cycle ``i`` stretches
    it over ``t_initial * cycle_mul**i`` steps.
    """
    t_initial, mult, limit = as_float(t_initial), as_float(cycle_mul), as_float(cycle_limit)
    peaks = restart(constant(base_lr), period=t_initial, mult=mult, factor=cycle_decay)
    # The end of cycle `limit`: t_initial * limit, or t_initial (mult**limit - 1) / (mult - 1).
    geometric = t_initial * (mult**limit - 1) / jnp.where(mult == 1, 1, mult - 1)
    end = jnp.minimum(jnp.where(mult == 1, t_initial * limit, geometric), _NO_STEP_REACHES)
    running = piecewise_constant(jnp.array([1.0, 0.0], FLOAT), boundaries=jnp.reshape(end, (1,)))
    return blend(constant(lr_min), peaks, weight=restart(weight, period=t_initial, mult=mult) * running)


def _warmed(main: Schedule, base_lr, warmup_t, warmup_lr_init, warmup_prefix: bool, to_main: bool = False) -> Schedule:  # noqa: ANN001
    """timm's warmup: linear from ``warmup_lr_init`` for ``warmup_t`` steps, to ``base_lr`` (or, ``to_main``, to the curve there)."""
    if warmup_prefix:
        return join([linear(warmup_lr_init, base_lr, steps=warmup_t), main], boundaries=one(warmup_t))
    if to_main:
        return warmup(main, steps=warmup_t, init=warmup_lr_init, prefix=False)
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


def _check_cycles(where: str, t_initial, lr_min, cycle_limit, warmup_t, warmup_lr_init) -> None:  # noqa: ANN001
    """timm's asserts on concrete values, as lrjax's ValueErrors."""
    Param("value", gt=0).convert(where, "t_initial", t_initial)
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
    _check_cycles("CosineLRScheduler", t_initial, lr_min, cycle_limit, warmup_t, warmup_lr_init)
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
    _check_cycles("PolyLRScheduler", t_initial, lr_min, cycle_limit, warmup_t, warmup_lr_init)
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
    _check_cycles("TanhLRScheduler", t_initial, lr_min, cycle_limit, warmup_t, warmup_lr_init)
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
