"""PyTorch's ``torch.optim.lr_scheduler`` classes, with the same arguments and values, as lrjax schedules.

Each function takes the scheduler's arguments with the optimizer replaced by
``base_lr`` (the param group's initial lr) and returns the schedule whose value
at step ``t`` is the lr torch uses after ``t`` calls of ``scheduler.step()``.
torch itself is not imported, and ``last_epoch`` and ``verbose`` are not
taken (the step is the schedule's argument). ``ReduceLROnPlateau`` returns a
`lrjax.plateau` controller: the lr is ``base_lr * state.scale``.

**Where lrjax deliberately differs from torch:**

- Values are torch's closed forms, which torch's recursive (chainable)
  updates reproduce when a scheduler runs alone: they are what ``step(epoch)``
  and ``SequentialLR`` use. `ConstantLR` with ``factor=0`` gives 0 and then
  ``base_lr``, where torch's recursive form divides by zero.
- `CosineAnnealingWarmRestarts` finds its cycle with integer arithmetic, so it
  restarts exactly at every cycle boundary (torch's ``step()`` does too; its
  ``step(epoch)`` path misrounds there), and ``T_0``/``T_mult`` may be traced.
- `OneCycleLR` holds its last value after ``total_steps`` (torch raises).
- `ChainedScheduler` multiplies closed forms: exact for the multiplicative
  schedulers (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR,
  PolynomialLR, CosineAnnealingLR with ``eta_min=0``), which is where torch's
  chained product is exact too. It takes the shared ``base_lr``.
- `ReduceLROnPlateau`'s relative threshold uses ``|best|`` (see
  `lrjax.plateau`): identical for positive metrics; for negative ones torch's
  ``best * (1 - threshold)`` counts an unchanged metric as an improvement and
  never reduces.
- Per-group lists (of ``max_lr``, ``min_lr``, lambdas) are one schedule per
  group here; stack them with `lrjax.stack` to vmap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._anneal import cosine, linear, polynomial
from .._arith import concrete
from .._cycle import restart
from .._cyclical import cyclic, one_cycle, one_cycle_momentum
from .._decay import exponential, multistep, step_decay
from .._from_fn import from_fn
from .._join import join
from .._piecewise import piecewise_constant
from .._plateau import plateau
from .._schedule import Schedule, as_schedule
from ._common import FLOAT, as_float, concretely, cosine_wave, one

__all__ = [
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "CyclicMomentum",
    "OneCycleLR",
    "OneCycleMomentum",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]

def _whole(v: np.ndarray) -> Any:
    return v != np.round(v)


def LambdaLR(base_lr: ArrayLike, lr_lambda: Callable[[jax.Array], ArrayLike]) -> Schedule:  # noqa: N802
    """``base_lr * lr_lambda(t)``; ``lr_lambda`` must be jittable (it gets the step as a float array).

    >>> from lrjax.compat import torch
    >>> s = torch.LambdaLR(0.1, lambda epoch: 0.5 ** (epoch // 10))
    >>> print(s(25))
    0.025
    """
    if not callable(lr_lambda):
        raise ValueError(f"LambdaLR: lr_lambda must be a jittable function of the step, got {lr_lambda!r}")
    return as_schedule("LambdaLR", "base_lr", base_lr) * from_fn(lr_lambda)


def StepLR(base_lr: ArrayLike, step_size: ArrayLike, gamma: ArrayLike = 0.1) -> Schedule:  # noqa: N802
    r"""torch's ``StepLR``: :math:`base\_lr \cdot gamma^{\lfloor t / step\_size \rfloor}`.

    >>> from lrjax.compat import torch
    >>> s = torch.StepLR(1.0, step_size=30)
    >>> print(s(29), s(30), s(90))
    1.0 0.1 0.001
    """
    return step_decay(base_lr, factor=gamma, steps=step_size)


def MultiStepLR(base_lr: ArrayLike, milestones: Sequence[ArrayLike] | ArrayLike, gamma: ArrayLike = 0.1) -> Schedule:  # noqa: N802
    r"""torch's ``MultiStepLR``: multiplied by ``gamma`` at each milestone (a repeated milestone counts twice).

    >>> from lrjax.compat import torch
    >>> s = torch.MultiStepLR(1.0, milestones=[30, 80], gamma=0.5)
    >>> print(s(29), s(30), s(80))
    1.0 0.5 0.25
    """
    m = concrete(milestones)
    return multistep(base_lr, boundaries=np.sort(m) if m is not None else milestones, factor=gamma)


def ConstantLR(base_lr: ArrayLike, factor: ArrayLike = 1.0 / 3, total_iters: ArrayLike = 5) -> Schedule:  # noqa: N802
    """torch's ``ConstantLR``: ``base_lr * factor`` for the first ``total_iters`` steps, then ``base_lr``.

    >>> from lrjax.compat import torch
    >>> s = torch.ConstantLR(1.0, factor=0.5, total_iters=4)
    >>> print(s(3), s(4))
    0.5 1.0
    """
    if concretely(factor, lambda v: (v > 1.0) | (v < 0)):
        raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
    base = jnp.asarray(base_lr, FLOAT)
    return piecewise_constant(jnp.stack([base * factor, base]), boundaries=one(total_iters))


def LinearLR(  # noqa: N802
    base_lr: ArrayLike, start_factor: ArrayLike = 1.0 / 3, end_factor: ArrayLike = 1.0, total_iters: ArrayLike = 5
) -> Schedule:
    """torch's ``LinearLR``: the factor moves linearly from ``start_factor`` to ``end_factor`` over ``total_iters``.

    >>> from lrjax.compat import torch
    >>> s = torch.LinearLR(1.0, start_factor=0.5, total_iters=10)
    >>> print(s(0), s(5), s(50))
    0.5 0.75 1.0
    """
    if concretely(start_factor, lambda v: (v > 1.0) | (v <= 0)):
        raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
    if concretely(end_factor, lambda v: (v > 1.0) | (v < 0)):
        raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
    base = jnp.asarray(base_lr, FLOAT)
    return linear(base * start_factor, base * end_factor, steps=total_iters)


def ExponentialLR(base_lr: ArrayLike, gamma: ArrayLike) -> Schedule:  # noqa: N802
    r"""torch's ``ExponentialLR``: :math:`base\_lr \cdot gamma^t`.

    >>> from lrjax.compat import torch
    >>> print(torch.ExponentialLR(1.0, gamma=0.5)(3))
    0.125
    """
    return exponential(base_lr, rate=gamma, steps=1)


def PolynomialLR(base_lr: ArrayLike, total_iters: ArrayLike = 5, power: ArrayLike = 1.0) -> Schedule:  # noqa: N802
    r"""torch's ``PolynomialLR``: :math:`base\_lr\,(1 - \min(t, T)/T)^{power}`, 0 from ``total_iters`` on.

    >>> from lrjax.compat import torch
    >>> s = torch.PolynomialLR(1.0, total_iters=4, power=2.0)
    >>> print(s(2), s(4), s(9))
    0.25 0.0 0.0
    """
    return polynomial(base_lr, 0.0, steps=total_iters, power=power)


def CosineAnnealingLR(base_lr: ArrayLike, T_max: ArrayLike, eta_min: ArrayLike = 0.0) -> Schedule:  # noqa: N802, N803
    r"""torch's ``CosineAnnealingLR`` closed form, periodic as torch's is: back up to ``base_lr`` at ``2 * T_max``.

    .. math:: \eta_{min} + (base\_lr - \eta_{min})\,\tfrac{1}{2}\left(1 + \cos \tfrac{\pi t}{T_{max}}\right)

    >>> from lrjax.compat import torch
    >>> s = torch.CosineAnnealingLR(1.0, T_max=10)
    >>> print(s(5), s(10), s(15), s(20))
    0.49999997 0.0 0.49999997 1.0
    """
    return cosine_wave(base_lr, eta_min, T_max)


def CosineAnnealingWarmRestarts(  # noqa: N802
    base_lr: ArrayLike, T_0: ArrayLike, T_mult: ArrayLike = 1, eta_min: ArrayLike = 0.0  # noqa: N803
) -> Schedule:
    """torch's ``CosineAnnealingWarmRestarts``: cosines from ``base_lr`` to ``eta_min``, the ``i``-th lasting ``T_0 * T_mult**i`` steps.

    ``T_0`` must be a positive whole number and ``T_mult`` a whole number >= 1, as in torch.

    >>> from lrjax.compat import torch
    >>> s = torch.CosineAnnealingWarmRestarts(1.0, T_0=3, T_mult=2)
    >>> [round(float(s(t)), 3) for t in range(10)]
    [1.0, 0.75, 0.25, 1.0, 0.933, 0.75, 0.5, 0.25, 0.067, 1.0]
    """
    if concretely(T_0, lambda v: (v <= 0) | _whole(v)):
        raise ValueError(f"Expected positive integer T_0, but got {T_0}")
    if concretely(T_mult, lambda v: (v < 1) | _whole(v)):
        raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
    return restart(cosine(base_lr, eta_min, steps=T_0), period=T_0, mult=T_mult)


@dataclasses.dataclass(frozen=True)
class _CycleScale:
    """``scale_fn`` of torch's CyclicLR applied to the 1-based cycle ``floor(1 + t / length)`` or to ``t``."""

    scale_fn: Callable[[jax.Array], ArrayLike]
    by_cycle: bool

    @property
    def __name__(self) -> str:
        return getattr(self.scale_fn, "__name__", "scale_fn")

    def __call__(self, t: jax.Array, length: jax.Array) -> jax.Array:
        return jnp.asarray(self.scale_fn(jnp.floor(1 + t / length) if self.by_cycle else t), t.dtype)


def _cyclic(
    low: ArrayLike, high: ArrayLike, up: ArrayLike, down: ArrayLike | None, mode: str, gamma: ArrayLike,
    scale_fn: Callable[[jax.Array], ArrayLike] | None, scale_mode: str,
) -> Schedule:
    if scale_fn is None:
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError("mode is invalid and scale_fn is None")
        return cyclic(low, high, up_steps=up, down_steps=down, mode=mode, factor=gamma)
    if scale_mode not in ("cycle", "iterations"):
        raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
    up = jnp.asarray(up, FLOAT)
    length = up + (up if down is None else jnp.asarray(down, FLOAT))
    triangle = cyclic(0.0, 1.0, up_steps=up, down_steps=down)
    low = jnp.asarray(low, FLOAT)
    return low + (high - low) * triangle * from_fn(_CycleScale(scale_fn, scale_mode == "cycle"), length=length)


def CyclicLR(  # noqa: N802
    base_lr: ArrayLike,
    max_lr: ArrayLike,
    step_size_up: ArrayLike = 2000,
    step_size_down: ArrayLike | None = None,
    mode: str = "triangular",
    gamma: ArrayLike = 1.0,
    scale_fn: Callable[[jax.Array], ArrayLike] | None = None,
    scale_mode: str = "cycle",
) -> Schedule:
    """torch's ``CyclicLR`` learning rate: triangles between ``base_lr`` and ``max_lr``.

    ``mode`` is ``"triangular"``, ``"triangular2"`` (peaks halve each cycle) or
    ``"exp_range"`` (amplitude ``gamma**t``); a jittable ``scale_fn`` replaces
    it, applied to the 1-based cycle (``scale_mode="cycle"``) or the step.

    >>> from lrjax.compat import torch
    >>> s = torch.CyclicLR(0.1, 1.0, step_size_up=2, step_size_down=3)
    >>> [round(float(s(t)), 3) for t in range(6)]
    [0.1, 0.55, 1.0, 0.7, 0.4, 0.1]
    """
    return _cyclic(base_lr, max_lr, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)


def CyclicMomentum(  # noqa: N802
    base_momentum: ArrayLike = 0.8,
    max_momentum: ArrayLike = 0.9,
    step_size_up: ArrayLike = 2000,
    step_size_down: ArrayLike | None = None,
    mode: str = "triangular",
    gamma: ArrayLike = 1.0,
    scale_fn: Callable[[jax.Array], ArrayLike] | None = None,
    scale_mode: str = "cycle",
) -> Schedule:
    """The momentum torch's ``CyclicLR`` sets (``cycle_momentum=True``): from ``max_momentum`` down to ``base_momentum`` as the lr rises.

    >>> from lrjax.compat import torch
    >>> s = torch.CyclicMomentum(0.8, 0.9, step_size_up=2)
    >>> print(s(0), s(2), s(4))
    0.9 0.8 0.9
    """
    return _cyclic(max_momentum, base_momentum, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)


def _total_steps(total_steps: Any, epochs: Any, steps_per_epoch: Any) -> Any:
    if total_steps is None and (epochs is None or steps_per_epoch is None):
        raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
    if total_steps is not None:
        if concretely(total_steps, lambda v: (v <= 0) | _whole(v)):
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        return total_steps
    for name, value in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
        if concretely(value, lambda v: (v <= 0) | _whole(v)):
            raise ValueError(f"Expected positive integer {name}, but got {value}")
    return jnp.asarray(epochs, FLOAT) * steps_per_epoch


def _anneal(anneal_strategy: str, pct_start: Any) -> str:
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    if concretely(pct_start, lambda v: (v < 0) | (v > 1)):
        raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
    return "cosine" if anneal_strategy == "cos" else "linear"


def OneCycleLR(  # noqa: N802
    max_lr: ArrayLike,
    total_steps: ArrayLike | None = None,
    epochs: ArrayLike | None = None,
    steps_per_epoch: ArrayLike | None = None,
    pct_start: ArrayLike = 0.3,
    anneal_strategy: str = "cos",
    div_factor: ArrayLike = 25.0,
    final_div_factor: ArrayLike = 1e4,
    three_phase: bool = False,
) -> Schedule:
    """torch's ``OneCycleLR`` learning rate (it ignores the optimizer's lr, so there is no ``base_lr``).

    >>> from lrjax.compat import torch
    >>> s = torch.OneCycleLR(1.0, total_steps=10)
    >>> [round(float(s(t)), 4) for t in range(9)]
    [0.04, 0.52, 1.0, 0.9505, 0.8117, 0.6113, 0.3887, 0.1883, 0.0495]
    >>> print(s(9))
    4e-06
    """
    shape = _anneal(anneal_strategy, pct_start)
    steps = _total_steps(total_steps, epochs, steps_per_epoch)
    return one_cycle(max_lr, steps=steps, pct_start=pct_start, div=div_factor, final_div=final_div_factor, shape=shape, three_phase=three_phase)


def OneCycleMomentum(  # noqa: N802
    total_steps: ArrayLike | None = None,
    epochs: ArrayLike | None = None,
    steps_per_epoch: ArrayLike | None = None,
    pct_start: ArrayLike = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: ArrayLike = 0.85,
    max_momentum: ArrayLike = 0.95,
    three_phase: bool = False,
) -> Schedule:
    """The momentum (or Adam ``b1``) torch's ``OneCycleLR`` sets with ``cycle_momentum=True``.

    >>> from lrjax.compat import torch
    >>> s = torch.OneCycleMomentum(total_steps=10)
    >>> print(s(0), s(2), s(9))
    0.95 0.85 0.95
    """
    shape = _anneal(anneal_strategy, pct_start)
    steps = _total_steps(total_steps, epochs, steps_per_epoch)
    return one_cycle_momentum(steps=steps, low=base_momentum, high=max_momentum, pct_start=pct_start, shape=shape, three_phase=three_phase)


def SequentialLR(schedulers: Sequence[Schedule], milestones: Sequence[ArrayLike] | ArrayLike) -> Schedule:  # noqa: N802
    """torch's ``SequentialLR``: ``schedulers[i]`` from ``milestones[i-1]``, restarted on its own clock (not continuous).

    >>> from lrjax.compat import torch
    >>> s = torch.SequentialLR([torch.ExponentialLR(1.0, 0.5), torch.ExponentialLR(1.0, 0.9)], milestones=[3])
    >>> [round(float(s(t)), 3) for t in range(5)]
    [1.0, 0.5, 0.25, 1.0, 0.9]
    """
    n = jnp.shape(jnp.atleast_1d(as_float(milestones)))[-1]  # the length is static, traced or not
    if n != len(schedulers) - 1:
        raise ValueError(
            "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone "
            f"points, but got number of schedulers {len(schedulers)} and the number of milestones to be equal to {n}"
        )
    return join(list(schedulers), boundaries=milestones)


def ChainedScheduler(schedulers: Sequence[Schedule], base_lr: ArrayLike) -> Schedule:  # noqa: N802
    r"""torch's ``ChainedScheduler`` of multiplicative schedulers: :math:`base\_lr \prod_i s_i(t) / base\_lr`.

    Every scheduler must have been built with this ``base_lr``.

    >>> from lrjax.compat import torch
    >>> s = torch.ChainedScheduler([torch.ConstantLR(1.0, factor=0.1, total_iters=2), torch.ExponentialLR(1.0, 0.9)], base_lr=1.0)
    >>> [round(float(s(t)), 4) for t in range(4)]
    [0.1, 0.09, 0.81, 0.729]
    """
    if not schedulers:
        raise ValueError("ChainedScheduler: schedulers must be a non-empty sequence of schedules")
    if concretely(base_lr, lambda v: v == 0):
        raise ValueError(f"ChainedScheduler: base_lr must be non-zero, got {base_lr}")
    per_base = 1 / jnp.asarray(base_lr, FLOAT)
    product = schedulers[0]
    for s in schedulers[1:]:
        product = product * s * per_base
    return product


def ReduceLROnPlateau(  # noqa: N802
    base_lr: ArrayLike,
    mode: str = "min",
    factor: ArrayLike = 0.1,
    patience: ArrayLike = 10,
    threshold: ArrayLike = 1e-4,
    threshold_mode: str = "rel",
    cooldown: ArrayLike = 0,
    min_lr: ArrayLike = 0,
    eps: ArrayLike = 1e-8,
) -> plateau:
    """torch's ``ReduceLROnPlateau`` as an lrjax plateau controller: the lr is ``base_lr * state.scale``.

    ``min_lr`` and ``eps`` (absolute lrs in torch) become ``min_scale =
    min_lr / base_lr`` and ``eps / base_lr``.

    >>> from lrjax.compat import torch
    >>> controller = torch.ReduceLROnPlateau(0.1, patience=1)
    >>> state = controller.init()
    >>> for loss in [1.0, 1.0, 1.0]:
    ...     state = controller.update(state, loss)
    >>> print(state.scale)
    0.1
    """
    if concretely(factor, lambda v: v >= 1.0):
        raise ValueError("Factor should be < 1.0.")
    if mode not in ("min", "max"):
        raise ValueError(f"mode {mode} is unknown!")
    if threshold_mode not in ("rel", "abs"):
        raise ValueError(f"threshold mode {threshold_mode} is unknown!")
    if concretely(base_lr, lambda v: v <= 0):
        raise ValueError(f"ReduceLROnPlateau: base_lr must be > 0, got {base_lr}")
    base = jnp.asarray(base_lr, FLOAT)
    return plateau(mode=mode, factor=factor, patience=patience, threshold=threshold, threshold_mode=threshold_mode,
                   cooldown=cooldown, min_scale=min_lr / base, eps=eps / base)

