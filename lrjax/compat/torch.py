"""PyTorch's ``torch.optim.lr_scheduler`` classes, with the same arguments and values, as lrjax schedules.

Each function takes the scheduler's arguments with the optimizer replaced by
``base_lr`` (the param group's initial lr) and returns the schedule whose value
at step ``t`` is the lr torch uses after ``t`` calls of ``scheduler.step()``.
torch itself is not imported, and ``verbose`` is not taken.
``ReduceLROnPlateau`` returns a `lrjax.plateau` controller: the lr is
``base_lr * state.scale``.

``last_epoch`` means what it means when torch resumes a scheduler: one
created with ``last_epoch=k`` (after its optimizer's state, ``initial_lr``
included, was restored) continues where the scheduler stood after ``k + 1``
steps, so the schedule's value at step ``t`` is the fresh schedule's value at
``t + k + 1``. The default ``-1`` is a fresh scheduler. ``base_lr`` stays the
``initial_lr``. ``ReduceLROnPlateau`` resumes with its state: save and restore
the `lrjax.PlateauState` with the optimizer state, as torch's
``state_dict`` does.

**Where lrjax deliberately differs from torch:**

- Values are torch's closed forms, which torch's recursive (chainable)
  updates reproduce when a scheduler runs alone: they are what ``step(epoch)``
  and ``SequentialLR`` use. `ConstantLR` with ``factor=0`` gives 0 and then
  ``base_lr``, where torch's recursive form divides by zero.
- `CosineAnnealingWarmRestarts` finds its cycle with integer arithmetic, so it
  restarts exactly at every cycle boundary (torch's ``step()`` does too; its
  ``step(epoch)`` path misrounds there), and ``T_0``/``T_mult`` may be traced.
- `OneCycleLR` holds its last value after ``total_steps`` (torch raises).
- Resuming with ``last_epoch`` always continues the uninterrupted schedule.
  torch does too (with the optimizer state restored), except where its
  recursive update applies a change again: `StepLR`, `MultiStepLR` and
  `ConstantLR` resumed exactly where their factor changes (``last_epoch +
  1`` a multiple of ``step_size``, a milestone, ``total_iters``) apply it
  to the restored lr a second time, and `CosineAnnealingWarmRestarts` with
  ``T_mult > 1`` resumed after its first cycle continues on the wrong cycle.
- ``cycle_momentum=True`` (torch's default for `CyclicLR` and `OneCycleLR`)
  raises: the momentum is its own schedule, `CyclicMomentum` or
  `OneCycleMomentum`, next to the lr in `lrjax.inject`.
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
import jax.extend.core
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
from ._common import FLOAT, as_float, check_last_epoch, concretely, cosine_wave, one, resumed

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
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
    "SWALR",
]

def _whole(v: np.ndarray) -> Any:
    return v != np.round(v)


def LambdaLR(base_lr: ArrayLike, lr_lambda: Callable[[jax.Array], ArrayLike], last_epoch: ArrayLike = -1) -> Schedule:  # noqa: N802
    """``base_lr * lr_lambda(t)``; ``lr_lambda`` must be jittable (it gets the step as a float array).

    >>> from lrjax.compat import torch
    >>> s = torch.LambdaLR(0.1, lambda epoch: 0.5 ** (epoch // 10))
    >>> print(s(25))
    0.025
    """
    if not callable(lr_lambda):
        raise ValueError(f"LambdaLR: lr_lambda must be a jittable function of the step, got {lr_lambda!r}")
    return resumed("LambdaLR", as_schedule("LambdaLR", "base_lr", base_lr) * from_fn(lr_lambda), last_epoch)


def _depends_on_its_argument(fn: Callable[[jax.Array], ArrayLike]) -> bool:
    """Whether ``fn``'s traced result uses its argument (False for ``lambda epoch: 0.95``)."""
    try:
        jaxpr = jax.make_jaxpr(fn)(jnp.zeros((), FLOAT)).jaxpr
    except jax.errors.JAXTypeError as e:
        raise ValueError(f"MultiplicativeLR: lr_lambda must be a jittable function of the step: {e}") from e
    needed = {v for v in jaxpr.outvars if isinstance(v, jax.extend.core.Var)}
    for eqn in reversed(jaxpr.eqns):
        if any(v in needed for v in eqn.outvars):
            needed.update(v for v in eqn.invars if isinstance(v, jax.extend.core.Var))
    return jaxpr.invars[0] in needed


@dataclasses.dataclass(frozen=True)
class _Product:
    """:math:`\\prod_{j=1}^{t} lr\\_lambda(j)`, one factor per step (a loop of ``t`` iterations)."""

    lr_lambda: Callable[[jax.Array], ArrayLike]

    @property
    def __name__(self) -> str:
        return getattr(self.lr_lambda, "__name__", "lr_lambda")

    def _one(self, t: jax.Array) -> jax.Array:
        def times(j: jax.Array, product: jax.Array) -> jax.Array:
            return product * jnp.asarray(self.lr_lambda(j.astype(t.dtype)), t.dtype)

        return jax.lax.fori_loop(1, jnp.floor(t).astype(jnp.int32) + 1, times, jnp.ones((), t.dtype))

    def __call__(self, t: jax.Array) -> jax.Array:
        return jnp.vectorize(self._one)(t)


def MultiplicativeLR(  # noqa: N802
    base_lr: ArrayLike, lr_lambda: Callable[[jax.Array], ArrayLike], last_epoch: ArrayLike = -1
) -> Schedule:
    r"""torch's ``MultiplicativeLR``: :math:`base\_lr \prod_{j=1}^{t} lr\_lambda(j)`, each step multiplying by its factor.

    A factor that does not depend on the step (``lambda epoch: 0.95``, torch's
    usual case) gives ``exponential(base_lr, rate=factor, steps=1)``: a closed
    form with the factor as a leaf. Otherwise ``lr_lambda`` must be jittable,
    and step ``t`` multiplies ``t`` factors in a loop.

    >>> from lrjax.compat import torch
    >>> s = torch.MultiplicativeLR(1.0, lambda epoch: 0.5)
    >>> print(s, s(3))
    exponential(init=1.0, rate=0.5, steps=1) 0.125
    >>> s = torch.MultiplicativeLR(1.0, lambda epoch: 1.0 / (epoch + 1))
    >>> print(s(3))
    0.041666668
    """
    if not callable(lr_lambda):
        raise ValueError(f"MultiplicativeLR: lr_lambda must be a jittable function of the step, got {lr_lambda!r}")
    if not _depends_on_its_argument(lr_lambda):
        # A Python float keeps float64 precision for the rate (0.97 ** t stays accurate); an array result is taken as it is.
        value = lr_lambda(1.0)
        factor = float(value) if isinstance(value, (int, float)) else jnp.asarray(lr_lambda(jnp.ones((), FLOAT)), FLOAT)
        if not concretely(factor, lambda v: v <= 0):
            return resumed("MultiplicativeLR", exponential(base_lr, rate=factor, steps=1), last_epoch)
    return resumed("MultiplicativeLR", as_schedule("MultiplicativeLR", "base_lr", base_lr) * from_fn(_Product(lr_lambda)), last_epoch)


def StepLR(base_lr: ArrayLike, step_size: ArrayLike, gamma: ArrayLike = 0.1, last_epoch: ArrayLike = -1) -> Schedule:  # noqa: N802
    r"""torch's ``StepLR``: :math:`base\_lr \cdot gamma^{\lfloor t / step\_size \rfloor}`.

    >>> from lrjax.compat import torch
    >>> s = torch.StepLR(1.0, step_size=30)
    >>> [round(float(s(t)), 7) for t in (29, 30, 90)]
    [1.0, 0.1, 0.001]
    """
    return resumed("StepLR", step_decay(base_lr, factor=gamma, steps=step_size), last_epoch)


def MultiStepLR(  # noqa: N802
    base_lr: ArrayLike, milestones: Sequence[ArrayLike] | ArrayLike, gamma: ArrayLike = 0.1, last_epoch: ArrayLike = -1
) -> Schedule:
    r"""torch's ``MultiStepLR``: multiplied by ``gamma`` at each milestone (a repeated milestone counts twice).

    >>> from lrjax.compat import torch
    >>> s = torch.MultiStepLR(1.0, milestones=[30, 80], gamma=0.5)
    >>> print(s(29), s(30), s(80))
    1.0 0.5 0.25
    """
    m = concrete(milestones)
    return resumed("MultiStepLR", multistep(base_lr, boundaries=np.sort(m) if m is not None else milestones, factor=gamma), last_epoch)


def ConstantLR(  # noqa: N802
    base_lr: ArrayLike, factor: ArrayLike = 1.0 / 3, total_iters: ArrayLike = 5, last_epoch: ArrayLike = -1
) -> Schedule:
    """torch's ``ConstantLR``: ``base_lr * factor`` for the first ``total_iters`` steps, then ``base_lr``.

    >>> from lrjax.compat import torch
    >>> s = torch.ConstantLR(1.0, factor=0.5, total_iters=4)
    >>> print(s(3), s(4))
    0.5 1.0
    """
    if concretely(factor, lambda v: (v > 1.0) | (v < 0)):
        raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
    base = jnp.asarray(base_lr, FLOAT)
    lr = piecewise_constant(jnp.stack([base * factor, base]), boundaries=one(total_iters))
    return resumed("ConstantLR", lr, last_epoch)


def LinearLR(  # noqa: N802
    base_lr: ArrayLike,
    start_factor: ArrayLike = 1.0 / 3,
    end_factor: ArrayLike = 1.0,
    total_iters: ArrayLike = 5,
    last_epoch: ArrayLike = -1,
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
    return resumed("LinearLR", linear(base * start_factor, base * end_factor, steps=total_iters), last_epoch)


def ExponentialLR(base_lr: ArrayLike, gamma: ArrayLike, last_epoch: ArrayLike = -1) -> Schedule:  # noqa: N802
    r"""torch's ``ExponentialLR``: :math:`base\_lr \cdot gamma^t`.

    >>> from lrjax.compat import torch
    >>> print(torch.ExponentialLR(1.0, gamma=0.5)(3))
    0.125
    """
    return resumed("ExponentialLR", exponential(base_lr, rate=gamma, steps=1), last_epoch)


def PolynomialLR(  # noqa: N802
    base_lr: ArrayLike, total_iters: ArrayLike = 5, power: ArrayLike = 1.0, last_epoch: ArrayLike = -1
) -> Schedule:
    r"""torch's ``PolynomialLR``: :math:`base\_lr\,(1 - \min(t, T)/T)^{power}`, 0 from ``total_iters`` on.

    >>> from lrjax.compat import torch
    >>> s = torch.PolynomialLR(1.0, total_iters=4, power=2.0)
    >>> print(s(2), s(4), s(9))
    0.25 0.0 0.0
    """
    return resumed("PolynomialLR", polynomial(base_lr, 0.0, steps=total_iters, power=power), last_epoch)


def CosineAnnealingLR(  # noqa: N802
    base_lr: ArrayLike, T_max: ArrayLike, eta_min: ArrayLike = 0.0, last_epoch: ArrayLike = -1  # noqa: N803
) -> Schedule:
    r"""torch's ``CosineAnnealingLR`` closed form, periodic as torch's is: back up to ``base_lr`` at ``2 * T_max``.

    .. math:: \eta_{min} + (base\_lr - \eta_{min})\,\tfrac{1}{2}\left(1 + \cos \tfrac{\pi t}{T_{max}}\right)

    >>> from lrjax.compat import torch
    >>> s = torch.CosineAnnealingLR(1.0, T_max=10)
    >>> print(s(5), s(10), s(15), s(20))
    0.5 0.0 0.49999997 1.0
    """
    return resumed("CosineAnnealingLR", cosine_wave(base_lr, eta_min, T_max), last_epoch)


def CosineAnnealingWarmRestarts(  # noqa: N802
    base_lr: ArrayLike, T_0: ArrayLike, T_mult: ArrayLike = 1, eta_min: ArrayLike = 0.0, last_epoch: ArrayLike = -1  # noqa: N803
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
    return resumed("CosineAnnealingWarmRestarts", restart(cosine(base_lr, eta_min, steps=T_0), period=T_0, mult=T_mult), last_epoch)


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
    *,
    cycle_momentum: bool | None = None,
    last_epoch: ArrayLike = -1,
) -> Schedule:
    """torch's ``CyclicLR`` learning rate: triangles between ``base_lr`` and ``max_lr``.

    ``mode`` is ``"triangular"``, ``"triangular2"`` (peaks halve each cycle) or
    ``"exp_range"`` (amplitude ``gamma**t``); a jittable ``scale_fn`` replaces
    it, applied to the 1-based cycle (``scale_mode="cycle"``) or the step.
    torch also cycles the momentum by default; that is `CyclicMomentum`
    (``cycle_momentum=True`` raises a `ValueError` that shows how).

    >>> from lrjax.compat import torch
    >>> s = torch.CyclicLR(0.1, 1.0, step_size_up=2, step_size_down=3)
    >>> [round(float(s(t)), 3) for t in range(6)]
    [0.1, 0.55, 1.0, 0.7, 0.4, 0.1]
    """
    if cycle_momentum:
        raise ValueError(_momentum_message("CyclicLR", "CyclicMomentum", f"{base_lr!r}, {max_lr!r}, step_size_up={step_size_up!r}",
                                           f"step_size_up={step_size_up!r}"))
    return resumed("CyclicLR", _cyclic(base_lr, max_lr, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode), last_epoch)


def CyclicMomentum(  # noqa: N802
    base_momentum: ArrayLike = 0.8,
    max_momentum: ArrayLike = 0.9,
    step_size_up: ArrayLike = 2000,
    step_size_down: ArrayLike | None = None,
    mode: str = "triangular",
    gamma: ArrayLike = 1.0,
    scale_fn: Callable[[jax.Array], ArrayLike] | None = None,
    scale_mode: str = "cycle",
    *,
    last_epoch: ArrayLike = -1,
) -> Schedule:
    """The momentum torch's ``CyclicLR`` sets (``cycle_momentum=True``): from ``max_momentum`` down to ``base_momentum`` as the lr rises.

    >>> from lrjax.compat import torch
    >>> s = torch.CyclicMomentum(0.8, 0.9, step_size_up=2)
    >>> print(s(0), s(2), s(4))
    0.9 0.8 0.9
    """
    return resumed("CyclicMomentum", _cyclic(max_momentum, base_momentum, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode),
                   last_epoch)


def _momentum_message(name: str, momentum: str, lr_args: str, momentum_args: str) -> str:
    return (
        f"{name}: cycle_momentum=True: in lrjax the momentum torch cycles is a schedule of its own, {momentum}; "
        f"put both in the optimizer state: lrjax.inject(optax.sgd)(learning_rate=torch.{name}({lr_args}), "
        f"momentum=torch.{momentum}({momentum_args})) (for Adam, b1=... in lrjax.inject(optax.adam)). "
        "Pass cycle_momentum=False for the learning rate alone."
    )


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
    *,
    cycle_momentum: bool | None = None,
    last_epoch: ArrayLike = -1,
) -> Schedule:
    """torch's ``OneCycleLR`` learning rate (it ignores the optimizer's lr, so there is no ``base_lr``).

    torch also cycles the momentum (or Adam's ``b1``) by default: that is
    `OneCycleMomentum`, a schedule of its own. ``cycle_momentum=True`` raises
    a `ValueError` that shows the `lrjax.inject` line putting both in the
    optimizer state.

    >>> from lrjax.compat import torch
    >>> s = torch.OneCycleLR(1.0, total_steps=10)
    >>> [round(float(s(t)), 4) for t in range(9)]
    [0.04, 0.52, 1.0, 0.9505, 0.8117, 0.6113, 0.3887, 0.1883, 0.0495]
    >>> print(s(9))
    4e-06
    """
    if cycle_momentum:
        length = f"total_steps={total_steps!r}" if total_steps is not None else f"epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r}"
        raise ValueError(_momentum_message("OneCycleLR", "OneCycleMomentum", f"{max_lr!r}, {length}", length))
    shape = _anneal(anneal_strategy, pct_start)
    steps = _total_steps(total_steps, epochs, steps_per_epoch)
    lr = one_cycle(max_lr, steps=steps, pct_start=pct_start, div=div_factor, final_div=final_div_factor, shape=shape, three_phase=three_phase)
    return resumed("OneCycleLR", lr, last_epoch)


def OneCycleMomentum(  # noqa: N802
    total_steps: ArrayLike | None = None,
    epochs: ArrayLike | None = None,
    steps_per_epoch: ArrayLike | None = None,
    pct_start: ArrayLike = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: ArrayLike = 0.85,
    max_momentum: ArrayLike = 0.95,
    three_phase: bool = False,
    *,
    last_epoch: ArrayLike = -1,
) -> Schedule:
    """The momentum (or Adam ``b1``) torch's ``OneCycleLR`` sets with ``cycle_momentum=True``.

    >>> from lrjax.compat import torch
    >>> s = torch.OneCycleMomentum(total_steps=10)
    >>> print(s(0), s(2), s(9))
    0.95 0.85 0.95
    """
    shape = _anneal(anneal_strategy, pct_start)
    steps = _total_steps(total_steps, epochs, steps_per_epoch)
    momentum = one_cycle_momentum(steps=steps, low=base_momentum, high=max_momentum, pct_start=pct_start, shape=shape, three_phase=three_phase)
    return resumed("OneCycleMomentum", momentum, last_epoch)


def SequentialLR(  # noqa: N802
    schedulers: Sequence[Schedule], milestones: Sequence[ArrayLike] | ArrayLike, last_epoch: ArrayLike = -1
) -> Schedule:
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
    return resumed("SequentialLR", join(list(schedulers), boundaries=milestones), last_epoch)


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


def SWALR(  # noqa: N802
    base_lr: ArrayLike,
    swa_lr: ArrayLike,
    anneal_epochs: ArrayLike = 10,
    anneal_strategy: str = "cos",
    last_epoch: ArrayLike = -1,
) -> Schedule:
    r"""torch's ``swa_utils.SWALR``: from ``base_lr`` to ``swa_lr`` over ``anneal_epochs`` steps, then ``swa_lr``.

    ``base_lr`` is the param group's lr when SWALR is created (the lr the
    preceding schedule reached). ``"cos"`` is ``cosine(base_lr, swa_lr,
    steps=anneal_epochs)``, ``"linear"`` is ``linear(base_lr, swa_lr,
    steps=anneal_epochs)``. SWALR counts its own steps, not
    ``last_epoch``, so a resumed SWALR anneals again from the lr it finds:
    ``last_epoch`` is checked and changes nothing (pass the restored lr as
    ``base_lr``).

    >>> from lrjax.compat import torch
    >>> s = torch.SWALR(1.0, swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    >>> [round(float(s(t)), 3) for t in range(6)]
    [1.0, 0.775, 0.55, 0.325, 0.1, 0.1]
    """
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    if concretely(anneal_epochs, lambda v: (v < 0) | _whole(v)):
        raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
    check_last_epoch("SWALR", last_epoch)
    if anneal_strategy == "cos":
        return cosine(base_lr, swa_lr, steps=anneal_epochs)
    return linear(base_lr, swa_lr, steps=anneal_epochs)
