"""Hugging Face transformers' ``get_*_schedule*`` functions, with ``optimizer`` replaced by ``base_lr``.

Each returns the schedule whose value at step ``t`` is ``base_lr *
lr_lambda(t)`` for transformers' ``LambdaLR`` multiplier, stepped once per
optimizer update: warmups start at 0 (the first update gets lr 0), and the
cosine schedules are not clamped after ``num_training_steps`` (they rise
again), exactly as in transformers. transformers itself is not imported;
``last_epoch`` is not taken (the step is the schedule's argument).

**Where lrjax differs:** ``get_polynomial_decay_schedule_with_warmup`` reads
the initial lr from ``optimizer.defaults['lr']`` in transformers; here it is
``base_lr``, so a param group with another lr ends at its own
``lr * lr_end / defaults['lr']`` there but at ``lr_end`` here (build one
schedule per group). ``get_cosine_with_min_lr_schedule_with_warmup(min_lr=...)``
likewise divides by ``base_lr``.
"""

from __future__ import annotations

import warnings

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._anneal import cosine, linear, polynomial
from .._arith import concrete
from .._cycle import cycle
from .._decay import inverse_sqrt
from .._join import join
from .._piecewise import piecewise_linear
from .._ramps import cooldown, warmup
from .._schedule import Schedule, constant
from ._common import as_float, cosine_wave

__all__ = [
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_inverse_sqrt_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_wsd_schedule",
]

def _decay_steps(num_warmup_steps: ArrayLike, num_training_steps: ArrayLike) -> jnp.ndarray:
    """transformers' ``max(1, num_training_steps - num_warmup_steps)``."""
    return jnp.maximum(as_float(num_training_steps) - as_float(num_warmup_steps), 1)


def get_constant_schedule(base_lr: ArrayLike) -> Schedule:
    """``base_lr`` at every step.

    >>> from lrjax.compat import transformers
    >>> print(transformers.get_constant_schedule(0.1)(100))
    0.1
    """
    return constant(base_lr)


def get_constant_schedule_with_warmup(base_lr: ArrayLike, num_warmup_steps: ArrayLike) -> Schedule:
    """Linear from 0 to ``base_lr`` over ``num_warmup_steps``, then ``base_lr``.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_constant_schedule_with_warmup(1.0, num_warmup_steps=10)
    >>> print(s(0), s(5), s(10))
    0.0 0.5 1.0
    """
    return warmup(constant(base_lr), steps=num_warmup_steps)


def get_linear_schedule_with_warmup(base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike) -> Schedule:
    r"""Warmup, then linear to 0 at ``num_training_steps``: :math:`\max(0, (N - t) / \max(1, N - W))`.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_linear_schedule_with_warmup(1.0, 10, 110)
    >>> print(s(5), s(60), s(200))
    0.5 0.5 0.0
    """
    steps = jnp.maximum(as_float(num_training_steps) - as_float(num_warmup_steps), 0)
    return warmup(linear(base_lr, 0.0, steps=steps), steps=num_warmup_steps)


def get_cosine_schedule_with_warmup(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, num_cycles: ArrayLike = 0.5
) -> Schedule:
    r"""Warmup, then :math:`\tfrac{1}{2}(1 + \cos(2\pi c\,p))` with :math:`p = (t - W) / \max(1, N - W)`, not clamped.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_schedule_with_warmup(1.0, 10, 110)
    >>> print(s(60), s(110), s(160))
    0.49999997 0.0 0.49999997
    """
    return get_cosine_with_min_lr_schedule_with_warmup(base_lr, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, num_cycles: ArrayLike = 1
) -> Schedule:
    r"""Warmup, then ``num_cycles`` cosines from ``base_lr`` to 0, each restarting at ``base_lr``; 0 from ``num_training_steps`` on.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 100, num_cycles=2)
    >>> print(s(49), s(50), s(100))
    0.0009866359 1.0 0.0
    """
    decay = _decay_steps(num_warmup_steps, num_training_steps)
    length = decay / as_float(num_cycles)
    return warmup(join([cycle(cosine(base_lr, steps=length), period=length), 0.0], boundaries=jnp.reshape(decay, (1,))), steps=num_warmup_steps)


def get_polynomial_decay_schedule_with_warmup(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, lr_end: ArrayLike = 1e-7, power: ArrayLike = 1.0
) -> Schedule:
    r"""Warmup, then :math:`(base\_lr - lr\_end)(1 - p)^{power} + lr\_end`, ``lr_end`` from ``num_training_steps`` on.

    ``lr_end`` must be smaller than ``base_lr`` (`ValueError`, as in transformers).

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_polynomial_decay_schedule_with_warmup(1.0, 0, 100, lr_end=0.0, power=2.0)
    >>> print(s(50), s(100))
    0.25 0.0
    """
    lr, end = concrete(base_lr), concrete(lr_end)
    if lr is not None and end is not None and not lr > end:
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({base_lr})")
    steps = jnp.maximum(as_float(num_training_steps) - as_float(num_warmup_steps), 0)
    return warmup(polynomial(base_lr, lr_end, steps=steps, power=power), steps=num_warmup_steps)


def get_inverse_sqrt_schedule(base_lr: ArrayLike, num_warmup_steps: ArrayLike, timescale: ArrayLike | None = None) -> Schedule:
    r"""Warmup, then :math:`1 / \sqrt{(t - W + timescale) / timescale}`; ``timescale`` defaults to ``num_warmup_steps`` or 10000.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_inverse_sqrt_schedule(1.0, num_warmup_steps=100)
    >>> print(s(50), s(100), s(400))
    0.5 1.0 0.5
    """
    if timescale is None:
        w = concrete(num_warmup_steps)
        timescale = (num_warmup_steps if w is None or w != 0 else 10_000)
    return warmup(inverse_sqrt(base_lr, steps=timescale), steps=num_warmup_steps)


def get_cosine_with_min_lr_schedule_with_warmup(
    base_lr: ArrayLike,
    num_warmup_steps: ArrayLike,
    num_training_steps: ArrayLike,
    num_cycles: ArrayLike = 0.5,
    min_lr: ArrayLike | None = None,
    min_lr_rate: ArrayLike | None = None,
) -> Schedule:
    r"""`get_cosine_schedule_with_warmup` lifted to a floor: :math:`f (1 - r) + r`, with ``r = min_lr_rate`` or ``min_lr / base_lr``.

    Exactly one of ``min_lr`` and ``min_lr_rate`` must be given.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_with_min_lr_schedule_with_warmup(1.0, 0, 100, min_lr_rate=0.1)
    >>> print(s(50), s(100))
    0.54999995 0.1
    """
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is None and min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the lr_scheduler_kwargs")
    floor = as_float(min_lr) if min_lr is not None else as_float(base_lr) * min_lr_rate
    half_period = _decay_steps(num_warmup_steps, num_training_steps) / (2 * as_float(num_cycles))
    return warmup(cosine_wave(base_lr, floor, half_period), steps=num_warmup_steps)


def get_wsd_schedule(
    base_lr: ArrayLike,
    num_warmup_steps: ArrayLike,
    num_decay_steps: ArrayLike,
    num_training_steps: ArrayLike | None = None,
    num_stable_steps: ArrayLike | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: ArrayLike = 0,
    num_cycles: ArrayLike = 0.5,
) -> Schedule:
    r"""Warmup-stable-decay: from ``m = min_lr_ratio`` up to 1, hold, decay back to ``m`` and hold it (all times ``base_lr``).

    ``warmup_type`` and ``decay_type`` are ``"linear"``, ``"cosine"`` or
    ``"1-sqrt"``; the stable length is ``num_stable_steps``, or what
    ``num_training_steps`` leaves after warmup and decay.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_wsd_schedule(1.0, 10, 20, num_training_steps=100, decay_type="linear", min_lr_ratio=0.1)
    >>> print(s(0), s(10), s(79), s(90), s(100))
    0.1 1.0 1.0 0.55 0.1
    """
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warnings.warn("Both num_training_steps and num_stable_steps are specified. num_stable_steps will be used.", stacklevel=2)
    if warmup_type not in ("linear", "cosine", "1-sqrt"):
        raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if decay_type not in ("linear", "cosine", "1-sqrt"):
        raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'")
    w, d = as_float(num_warmup_steps), as_float(num_decay_steps)
    stable = as_float(num_stable_steps) if num_stable_steps is not None else as_float(num_training_steps) - w - d
    if (v := concrete(stable)) is not None and np.any(v < 0):
        raise ValueError(f"get_wsd_schedule: the stable phase would last {v} steps; num_training_steps must be >= warmup + decay steps")
    peak = as_float(base_lr)
    low = peak * min_lr_ratio
    ramp_steps, decay_steps = jnp.maximum(w, 1), jnp.maximum(d, 1)
    ramp = {
        "linear": linear(low, peak, steps=ramp_steps),
        "cosine": piecewise_linear(jnp.stack([low, peak]), boundaries=jnp.stack([jnp.zeros_like(ramp_steps), ramp_steps]), shape="cosine"),
        "1-sqrt": polynomial(low, peak, steps=ramp_steps, power=0.5),  # peak - (peak - low) * sqrt(1 - q)
    }[warmup_type]
    decay = {
        "linear": linear(peak, low, steps=decay_steps),
        "cosine": cosine_wave(peak, low, decay_steps / (2 * as_float(num_cycles))),
        "1-sqrt": cooldown(constant(peak), steps=decay_steps, total_steps=decay_steps, end=low, shape="sqrt"),
    }[decay_type]
    boundaries = jnp.cumsum(jnp.stack([w, jnp.maximum(stable, 0), d]))
    return join([ramp, constant(peak), decay, constant(low)], boundaries=boundaries)
