"""Helpers the compat modules share: float conversion and checks that only concrete values can take part in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .. import _fields as f
from .._arith import Duration, Step, concrete
from .._cycle import cycle
from .._fields import Param, show
from .._piecewise import piecewise_linear
from .._ramps import warmup
from .._schedule import Schedule
from .._schedule import schedule as schedule_field

#: The default float dtype, which compat functions compute derived leaves in.
FLOAT = jnp.result_type(float)


def as_float(x: ArrayLike) -> jax.Array:
    """``x`` as an array of the default float dtype (traced values stay traced)."""
    return jnp.asarray(x, FLOAT)


def concretely(x: Any, test: Callable[[np.ndarray], Any]) -> bool:
    """``test(x)`` for a concrete ``x`` (true if it holds anywhere in an array); False for a traced one, which cannot be tested."""
    v = concrete(x)
    return v is not None and bool(np.any(test(v)))


def is_zero(x: ArrayLike) -> bool:
    """``x`` is concretely 0 (everywhere): a stage of that length is left out, so printed schedules hold no no-op node.

    A sweep that includes 0 then stacks schedules of different structure (`lrjax.stack` names the difference):
    sweep the native schedule instead.
    """
    v = concrete(x)
    return v is not None and bool(np.all(v == 0))


def warmed(where: str, name: str, schedule: Schedule, steps: ArrayLike, **kwargs: Any) -> Schedule:
    """``warmup(schedule, steps=steps, **kwargs)``, or ``schedule`` itself for a concrete 0 steps; ``steps`` checked as the peer's ``name``."""
    number(where, name, steps, ge=0)
    return schedule if is_zero(steps) else warmup(schedule, steps=steps, **kwargs)


def one(x: ArrayLike) -> list[Any] | jax.Array:
    """``[x]``, a one-element boundary list; a traced ``x`` as a 1-D array (a list holding a tracer is not arraylike)."""
    return [x] if concrete(x) is not None else jnp.reshape(x, (1,))


def computed(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(xp, *args)``: in float64 NumPy (``xp = np``) when every argument is concrete, else in the default float dtype (``xp = jnp``).

    For lengths derived from the arguments (``(N - W) / (2 * num_cycles)``): a
    concrete result keeps float64's digits, which a `Duration` holds, where
    float32 arithmetic would round a fractional length by up to 1e-7 of it
    (0.1 steps at step 1e6). ``None`` arguments pass through.
    """
    values = [concrete(a) if a is not None else None for a in args]
    if all(v is not None or a is None for v, a in zip(values, args)):
        return fn(np, *(None if v is None else np.asarray(v, np.float64) for v in values))
    return fn(jnp, *(None if a is None else as_float(a) for a in args))


def cosine_wave(high: ArrayLike, low: ArrayLike, half_period: ArrayLike) -> Schedule:
    r""":math:`low + (high - low)\,\tfrac12(1 + \cos(\pi t / half\_period))` at every step: periodic, never clamped.

    A concrete ``half_period`` places the knots and the period in float64 (see `computed`).
    """
    h = computed(lambda xp, h: h, half_period)
    # A fractional period whose multiple k * 2h is whole (2h = D / c for a whole D and c = p / q, k = p):
    # k waves per cycle of a whole period, so no rounding of the period adds up over the cycles.
    k = _whole_multiple(2 * h) if isinstance(h, np.ndarray) and h.ndim == 0 and h > 0 else 1
    knots = np.arange(2 * k + 1) * h if k > 1 else computed(lambda xp, h: xp.stack([xp.zeros_like(h), h, 2 * h], axis=-1), half_period)
    period = float(round(2 * k * float(h))) if k > 1 else knots[..., -1]
    values = jnp.stack(jnp.broadcast_arrays(*[as_float(high), as_float(low)] * k, as_float(high)), axis=-1)
    return cycle(piecewise_linear(values, boundaries=knots, shape="cosine"), period=period)


def _whole_multiple(period: np.ndarray, most: int = 64) -> int:
    """The smallest ``k <= most`` with ``k * period`` whole to float64's rounding (1 for a whole period or none found)."""
    for k in range(1, most + 1):
        x = k * float(period)
        if abs(x - round(x)) <= 1e-12 * x:
            return k
    return 1


class later(Schedule):  # noqa: N801
    """``schedule(t + steps)``: the schedule as it stands ``steps`` steps on (a whole ``steps`` exactly).

    Every leaf of ``schedule`` and ``steps`` stay leaves, so the result still
    vmaps, stacks and differentiates. It is a compat kind of its own, not a
    public constructor: it has no expression or config that reads back.

    >>> import lrjax
    >>> from lrjax.compat._common import later
    >>> print(later(lrjax.linear(1.0, 0.0, steps=10), steps=5)(0))
    0.5
    """

    schedule: Schedule = schedule_field()
    _: dataclasses.KW_ONLY
    steps: Duration = f.duration()

    def _evaluate(self, t: Step) -> jax.Array:
        k, rest, ok = self.steps.split(t.whole.dtype)
        frac = t.frac + rest.astype(t.frac.dtype)
        carry = jnp.floor(frac)
        whole = t.whole + k + carry.astype(k.dtype)
        fits = ok & (whole >= t.whole)  # a sum past the integer dtype's maximum goes by floats
        rough = t.at(t.float() + self.steps.total())
        return self.schedule._evaluate(Step.select(fits, Step(whole, frac - carry, t.lo), rough))


def check_last_epoch(where: str, last_epoch: ArrayLike) -> None:
    """The peers' ``last_epoch``: -1 for a fresh scheduler, else the index of the last step taken."""
    if concretely(last_epoch, lambda v: (v < -1) | (v != np.round(v))):
        raise ValueError(f"{where}: last_epoch must be a whole number >= -1, got {last_epoch}")


def resumed(where: str, schedule: Schedule, last_epoch: ArrayLike) -> Schedule:
    """``schedule(t + last_epoch + 1)``: a peer's scheduler created with ``last_epoch`` continues after ``last_epoch + 1`` steps.

    ``last_epoch=-1`` (the peers' default, a fresh scheduler) returns
    ``schedule`` itself; otherwise `later`.
    """
    check_last_epoch(where, last_epoch)
    v = concrete(last_epoch)
    if v is not None and np.all(v == -1):
        return schedule
    return later(schedule, steps=as_float(last_epoch) + 1)


def related(where: str, requirement: str, holds: Callable[..., Any], **values: Any) -> None:
    """A check across arguments (``holds(**values)``), made when all of them are concrete.

    Raises ``ValueError("<where>: <requirement>, got a=..., b=...")`` otherwise.
    """
    arrays = {name: concrete(value) for name, value in values.items()}
    if any(a is None for a in arrays.values()) or np.all(holds(**arrays)):
        return
    got = ", ".join(f"{name}={show(np.asarray(a))}" for name, a in arrays.items())
    raise ValueError(f"{where}: {requirement}, got {got}")


def number(where: str, name: str, x: Any, **bounds: float) -> None:
    """``x`` a finite number within ``bounds`` (``gt``, ``ge``, ``lt``, ``le``) where concrete, else a ValueError naming ``where``, ``name``."""
    Param("value", **bounds).convert(where, name, x)
