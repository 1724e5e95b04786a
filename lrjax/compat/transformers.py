"""Hugging Face transformers' ``get_*_schedule*`` functions, with ``optimizer`` replaced by ``base_lr``.

Each returns the schedule whose value at step ``t`` is ``base_lr *
lr_lambda(t)`` for transformers' ``LambdaLR`` multiplier, stepped once per
optimizer update: warmups start at 0 (the first update gets lr 0), and the
cosine schedules are not clamped after ``num_training_steps`` (they rise
again), exactly as in transformers. transformers itself is not imported.
``last_epoch=k`` resumes as transformers' ``LambdaLR`` does: the value at
step ``t`` is the fresh schedule's at ``t + k + 1``. `get_scheduler`
dispatches on transformers' ``SchedulerType`` names; the reduce-on-plateau
schedule is a `lrjax.plateau` controller, as in `lrjax.compat.torch`.

**Where lrjax differs:** ``get_polynomial_decay_schedule_with_warmup`` reads
the initial lr from ``optimizer.defaults['lr']`` in transformers; here it is
``base_lr``, so a param group with another lr ends at its own
``lr * lr_end / defaults['lr']`` there but at ``lr_end`` here (build one
schedule per group). ``get_cosine_with_min_lr_schedule_with_warmup(min_lr=...)``
likewise divides by ``base_lr``.
"""

from __future__ import annotations

import warnings
from enum import Enum
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._anneal import cosine, linear, polynomial
from .._arith import concrete
from .._cycle import cycle
from .._decay import inverse_sqrt
from .._join import join
from .._piecewise import piecewise_linear
from .._plateau import plateau
from .._ramps import cooldown
from .._schedule import Schedule, constant
from . import torch as _torch
from ._common import as_float, check_last_epoch, computed, cosine_wave, is_zero, later, number, one, resumed, warmed

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
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_reduce_on_plateau_schedule",
    "get_scheduler",
]

def _decay_steps(num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, num_cycles: ArrayLike = 1.0, per: float = 1.0) -> Any:
    """transformers' ``max(1, num_training_steps - num_warmup_steps)``, divided by ``per * num_cycles`` (in float64 when concrete)."""
    return computed(lambda xp, w, n, c: xp.maximum(n - w, 1) / (per * c), num_warmup_steps, num_training_steps, num_cycles)


def get_constant_schedule(base_lr: ArrayLike, last_epoch: ArrayLike = -1) -> Schedule:
    """``base_lr`` at every step.

    >>> from lrjax.compat import transformers
    >>> print(transformers.get_constant_schedule(0.1)(100))
    0.1
    """
    check_last_epoch("get_constant_schedule", last_epoch)
    return constant(base_lr)


def get_constant_schedule_with_warmup(base_lr: ArrayLike, num_warmup_steps: ArrayLike, last_epoch: ArrayLike = -1) -> Schedule:
    """Linear from 0 to ``base_lr`` over ``num_warmup_steps``, then ``base_lr``.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_constant_schedule_with_warmup(1.0, num_warmup_steps=10)
    >>> print(s(0), s(5), s(10))
    0.0 0.5 1.0
    """
    where = "get_constant_schedule_with_warmup"
    return resumed(where, warmed(where, "num_warmup_steps", constant(base_lr), num_warmup_steps), last_epoch)


def get_linear_schedule_with_warmup(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, last_epoch: ArrayLike = -1
) -> Schedule:
    r"""Warmup, then linear to 0 at ``num_training_steps``: :math:`\max(0, (N - t) / \max(1, N - W))`.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_linear_schedule_with_warmup(1.0, 10, 110)
    >>> print(s(5), s(60), s(200))
    0.5 0.5 0.0
    """
    where = "get_linear_schedule_with_warmup"
    w, n = num_warmup_steps, num_training_steps
    number(where, "num_warmup_steps", w, ge=0)
    if (vw := concrete(w)) is not None and (vn := concrete(n)) is not None and np.all(vn - vw >= 1):
        lr = warmed(where, "num_warmup_steps", linear(base_lr, 0.0, steps=computed(lambda xp, w, n: n - w, w, n)), w)
    else:  # the decay may start below the peak (at 0 when N <= W), while the warmup still rises to the peak
        start = computed(lambda xp, w, n: xp.clip(n - w, 0, None) / xp.maximum(1, n - w), w, n)
        decay = linear(as_float(base_lr) * start, 0.0, steps=computed(lambda xp, w, n: xp.maximum(n - w, 0), w, n))
        lr = join([linear(0.0, base_lr, steps=w), decay], boundaries=one(w))
    return resumed(where, lr, last_epoch)


def get_cosine_schedule_with_warmup(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, num_cycles: ArrayLike = 0.5, last_epoch: ArrayLike = -1
) -> Schedule:
    r"""Warmup, then :math:`\tfrac{1}{2}(1 + \cos(2\pi c\,p))` with :math:`p = (t - W) / \max(1, N - W)`, not clamped.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_schedule_with_warmup(1.0, 10, 110)
    >>> print(s(60), s(110), s(160))
    0.5 0.0 0.49999997
    """
    lr = get_cosine_with_min_lr_schedule_with_warmup(base_lr, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0)
    return resumed("get_cosine_schedule_with_warmup", lr, last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, num_training_steps: ArrayLike, num_cycles: ArrayLike = 1, last_epoch: ArrayLike = -1
) -> Schedule:
    r"""Warmup, then ``num_cycles`` cosines from ``base_lr`` to 0, each restarting at ``base_lr``; 0 from ``num_training_steps`` on.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 100, num_cycles=2)
    >>> print(s(49), s(50), s(100))
    0.0009866359 1.0 0.0
    """
    decay = _decay_steps(num_warmup_steps, num_training_steps)
    length = _decay_steps(num_warmup_steps, num_training_steps, num_cycles)
    lr = join([cycle(cosine(base_lr, steps=length), period=length), 0.0], boundaries=one(decay))
    lr = warmed("get_cosine_with_hard_restarts_schedule_with_warmup", "num_warmup_steps", lr, num_warmup_steps)
    return resumed("get_cosine_with_hard_restarts_schedule_with_warmup", lr, last_epoch)


def get_polynomial_decay_schedule_with_warmup(
    base_lr: ArrayLike,
    num_warmup_steps: ArrayLike,
    num_training_steps: ArrayLike,
    lr_end: ArrayLike = 1e-7,
    power: ArrayLike = 1.0,
    last_epoch: ArrayLike = -1,
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
    decay = polynomial(base_lr, lr_end, steps=steps, power=power)
    lr = warmed("get_polynomial_decay_schedule_with_warmup", "num_warmup_steps", decay, num_warmup_steps)
    return resumed("get_polynomial_decay_schedule_with_warmup", lr, last_epoch)


def get_inverse_sqrt_schedule(
    base_lr: ArrayLike, num_warmup_steps: ArrayLike, timescale: ArrayLike | None = None, last_epoch: ArrayLike = -1
) -> Schedule:
    r"""Warmup, then :math:`1 / \sqrt{(t - W + timescale) / timescale}`; ``timescale`` defaults to ``num_warmup_steps`` or 10000.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_inverse_sqrt_schedule(1.0, num_warmup_steps=100)
    >>> print(s(50), s(100), s(400))
    0.5 1.0 0.5
    """
    if timescale is None:
        w = concrete(num_warmup_steps)
        timescale = (num_warmup_steps if w is None or w != 0 else 10_000)
    where = "get_inverse_sqrt_schedule"
    return resumed(where, warmed(where, "num_warmup_steps", inverse_sqrt(base_lr, steps=timescale), num_warmup_steps), last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup(
    base_lr: ArrayLike,
    num_warmup_steps: ArrayLike,
    num_training_steps: ArrayLike,
    num_cycles: ArrayLike = 0.5,
    min_lr: ArrayLike | None = None,
    min_lr_rate: ArrayLike | None = None,
    *,
    last_epoch: ArrayLike = -1,
) -> Schedule:
    r"""`get_cosine_schedule_with_warmup` lifted to a floor: :math:`f (1 - r) + r`, with ``r = min_lr_rate`` or ``min_lr / base_lr``.

    Exactly one of ``min_lr`` and ``min_lr_rate`` must be given.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_with_min_lr_schedule_with_warmup(1.0, 0, 100, min_lr_rate=0.1)
    >>> print(s(50), s(100))
    0.55 0.1
    """
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is None and min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the lr_scheduler_kwargs")
    floor = as_float(min_lr) if min_lr is not None else as_float(base_lr) * min_lr_rate
    half_period = _decay_steps(num_warmup_steps, num_training_steps, num_cycles, per=2.0)
    lr = warmed("get_cosine_with_min_lr_schedule_with_warmup", "num_warmup_steps", cosine_wave(base_lr, floor, half_period), num_warmup_steps)
    return resumed("get_cosine_with_min_lr_schedule_with_warmup", lr, last_epoch)


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
    last_epoch: ArrayLike = -1,
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
        "cosine": cosine_wave(peak, low, computed(lambda xp, d, c: xp.maximum(d, 1) / (2 * c), num_decay_steps, num_cycles)),
        "1-sqrt": cooldown(constant(peak), steps=decay_steps, total_steps=decay_steps, end=low, shape="sqrt"),
    }[decay_type]
    boundaries = jnp.cumsum(jnp.stack([w, jnp.maximum(stable, 0), d]))
    return resumed("get_wsd_schedule", join([ramp, constant(peak), decay, constant(low)], boundaries=boundaries), last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    base_lr: ArrayLike,
    num_warmup_steps: ArrayLike,
    num_training_steps: ArrayLike,
    num_cycles: ArrayLike = 0.5,
    last_epoch: ArrayLike = -1,
    min_lr: ArrayLike | None = None,
    min_lr_rate: ArrayLike | None = None,
    warmup_lr_rate: ArrayLike | None = None,
) -> Schedule:
    r"""The cosine with a floor whose warmup ends on the peak and whose decay starts one step in.

    With :math:`W` warmup and :math:`N` training steps, ``r = min_lr_rate``
    (or ``min_lr / base_lr``) and :math:`p = (t - W + 1) / \max(1, N - W)`:

    - warmup, :math:`t < W`: :math:`(t + 1) / \max(1, W)`, or with
      ``warmup_lr_rate`` :math:`w`: :math:`w + (1 - w)\,t / \max(1, W - 1)`;
    - then :math:`\tfrac12(1 + \cos(2\pi c\,p))(1 - r) + r`, reaching ``r``
      at :math:`t = N - 1` and rising again after it, as in transformers;

    all times ``base_lr``. Exactly one of ``min_lr`` and ``min_lr_rate`` must be given.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 4, 104, min_lr_rate=0.1)
    >>> [round(float(s(t)), 4) for t in (0, 3, 4, 53, 103)]
    [0.25, 1.0, 0.9998, 0.55, 0.1]
    """
    where = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is None and min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    peak = as_float(base_lr)
    floor = as_float(min_lr) if min_lr is not None else peak * min_lr_rate
    w = as_float(num_warmup_steps)
    wave = cosine_wave(peak, floor, _decay_steps(num_warmup_steps, num_training_steps, num_cycles, per=2.0))
    if warmup_lr_rate is None:
        ramp = linear(peak / jnp.maximum(w, 1), end=peak * (w + 1) / jnp.maximum(w, 1), steps=w)
        ends_on_peak = 1  # (W - 1 + 1) / W: the ramp's value at W - 1 is the wave's first, for W >= 1
    else:
        start = peak * warmup_lr_rate
        ramp = linear(start, end=start + (peak - start) * w / jnp.maximum(w - 1, 1), steps=w)
        ends_on_peak = 2  # w + (1 - w)(W - 1)/(W - 1) = 1 needs W >= 2
    if (v := concrete(w)) is not None and np.all(v >= ends_on_peak):
        # The wave from W - 1 on: p = (t - (W - 1)) / (N - W), joined where both give the peak.
        start, decay = w - 1, wave
    else:
        start, decay = w, later(wave, steps=1)
    lr = decay if is_zero(start) else join([ramp, decay], boundaries=jnp.reshape(start, (1,)))  # no ramp to join before step 0
    return resumed(where, lr, last_epoch)


def get_reduce_on_plateau_schedule(base_lr: ArrayLike, **kwargs: ArrayLike | str) -> plateau:
    """transformers' reduce-on-plateau schedule: torch's ``ReduceLROnPlateau(**kwargs)``, as `lrjax.compat.torch.ReduceLROnPlateau`.

    A `lrjax.plateau` controller: the lr is ``base_lr * state.scale``.

    >>> from lrjax.compat import transformers
    >>> controller = transformers.get_reduce_on_plateau_schedule(0.1, patience=0)
    >>> state = controller.update(controller.update(controller.init(), 1.0), 1.0)
    >>> print(state.scale)
    0.1
    """
    return _torch.ReduceLROnPlateau(base_lr, **kwargs)


#: transformers' ``SchedulerType`` values that `get_scheduler` accepts, each with the function it calls.
SCHEDULER_TYPES = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "constant": get_constant_schedule,
    "constant_with_warmup": get_constant_schedule_with_warmup,
    "inverse_sqrt": get_inverse_sqrt_schedule,
    "reduce_lr_on_plateau": get_reduce_on_plateau_schedule,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "warmup_stable_decay": get_wsd_schedule,
}


def get_scheduler(
    name: str,
    base_lr: ArrayLike,
    num_warmup_steps: ArrayLike | None = None,
    num_training_steps: ArrayLike | None = None,
    scheduler_specific_kwargs: dict[str, Any] | None = None,
) -> Schedule | plateau:
    """transformers' ``get_scheduler``: the schedule named by a ``SchedulerType`` value (``lr_scheduler_type``).

    It passes the arguments each function takes, as transformers does:
    ``"constant"`` takes none, ``"reduce_lr_on_plateau"`` only
    ``scheduler_specific_kwargs``, ``"constant_with_warmup"`` only the warmup,
    ``"inverse_sqrt"`` and ``"warmup_stable_decay"`` no ``num_training_steps``
    requirement; the others need both lengths (`ValueError` without them).
    ``"greedy"`` (transformers' ``GreedyLR``, which also raises the lr) has no
    lrjax counterpart and raises a `ValueError`, as do names transformers
    does not know.

    >>> from lrjax.compat import transformers
    >>> s = transformers.get_scheduler("cosine", 1.0, num_warmup_steps=10, num_training_steps=110)
    >>> print(s(60))
    0.5
    """
    if isinstance(name, Enum):  # transformers' SchedulerType, a str enum
        name = name.value
    if name == "greedy":
        raise ValueError(
            "get_scheduler: 'greedy' (transformers' GreedyLR, which raises the lr after good steps as well as lowering it) "
            "has no lrjax counterpart; 'reduce_lr_on_plateau' is the controller lrjax has (lrjax.plateau)"
        )
    if name not in SCHEDULER_TYPES:
        raise ValueError(f"{name!r} is not a valid SchedulerType, please select one of {[*SCHEDULER_TYPES, 'greedy']}")
    make = SCHEDULER_TYPES[name]
    if name == "constant":
        return make(base_lr)
    kwargs = dict(scheduler_specific_kwargs or {})
    if name == "reduce_lr_on_plateau":
        return make(base_lr, **kwargs)
    if num_warmup_steps is None:
        raise ValueError(f"{name} requires `num_warmup_steps`, please provide that argument.")
    if name == "constant_with_warmup":
        return make(base_lr, num_warmup_steps=num_warmup_steps)
    if name == "inverse_sqrt":
        return make(base_lr, num_warmup_steps=num_warmup_steps, **kwargs)
    if name == "warmup_stable_decay":
        return make(base_lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs)
    if num_training_steps is None:
        raise ValueError(f"{name} requires `num_training_steps`, please provide that argument.")
    return make(base_lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs)
