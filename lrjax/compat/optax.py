"""optax's schedule functions, with the same signatures and values, as lrjax schedules.

Swap ``optax.warmup_cosine_decay_schedule(...)`` for
``lrjax.compat.optax.warmup_cosine_decay_schedule(...)`` and every value stays
the same (to float32 rounding), while every number becomes a traceable leaf:
``jax.vmap`` over ``warmup_steps`` or ``peak_value`` works, and new values do
not recompile. Each function builds native lrjax schedules, so ``repr`` shows
the lrjax expression it amounts to.

optax's checks and fallbacks are kept for concrete arguments: the same
`ValueError` conditions (``decay_steps <= 0`` for cosine, negative scales,
unknown interpolation types, non-positive one-cycle lengths), and the same
constants for ``transition_steps <= 0`` or ``decay_rate == 0``.

**Where the values differ, deliberately or necessarily:**

- Steps below 0 act as step 0, as everywhere in lrjax. optax mirrors the
  cosine there, and its piecewise-interpolate and one-cycle schedules return 0.
- A *traced* argument cannot take part in a Python fallback or check: a traced
  ``transition_steps <= 0`` acts as 1 step (optax: a constant), a traced
  ``decay_rate == 0`` gives ``init_value`` at step 0 and 0 after it, and a
  traced ``peak_value == 0`` in `warmup_cosine_decay_schedule` ends at
  ``end_value`` (optax: at 0, because its ``alpha`` is ``end_value / peak_value``).
- The piecewise boundaries are dict keys, concrete as in optax; the values
  and scales are leaves. The one-cycle ``transition_steps`` and ``pct_*`` may
  be traced: their knots ``int(pct * T)`` become array leaves (optax's dict,
  where two equal keys keep the last scale, applies to concrete values only;
  the two agree whenever the knots are distinct).
- `join_schedules` takes lrjax schedules (or numbers). Unsorted boundaries give
  optax's values (each piece runs where it is the last one started); negative
  boundaries raise, and a length mismatch is truncated as optax's ``zip`` does.
- `polynomial_schedule` ends exactly on ``end_value``: under ``jit`` optax's
  ``count / transition_steps`` can exceed 1 and a fractional power then gives
  NaN from the last step on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._algebra import clip, shift
from .._anneal import cosine, polynomial
from .._arith import Duration, concrete
from .._decay import exponential
from .._join import join
from .._piecewise import piecewise_constant, piecewise_linear
from .._schedule import Schedule, constant
from ._common import FLOAT, concretely, is_zero, one

__all__ = [
    "constant_schedule",
    "polynomial_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "exponential_decay",
    "cosine_decay_schedule",
    "piecewise_interpolate_schedule",
    "linear_onecycle_schedule",
    "cosine_onecycle_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
    "sgdr_schedule",
    "join_schedules",
]


def _cumulative(init_value: ArrayLike, scales: list[Any]) -> jax.Array:
    """``init_value`` followed by its running products with ``scales``."""
    return jnp.cumprod(jnp.stack([jnp.asarray(x, FLOAT) for x in (init_value, *scales)]))


def constant_schedule(value: ArrayLike) -> Schedule:
    """optax's ``constant_schedule``: ``value`` at every step.

    >>> from lrjax.compat import optax
    >>> print(optax.constant_schedule(0.1)(1000))
    0.1
    """
    return constant(value)


def _after(schedule: Schedule, begin: ArrayLike) -> Schedule:
    """``shift(schedule, steps=begin)``, or ``schedule`` itself for a concrete ``begin`` of 0 (no no-op node in the expression)."""
    return schedule if is_zero(begin) else shift(schedule, steps=begin)


def _warmed_up(init_value: ArrayLike, peak_value: ArrayLike, warmup_steps: ArrayLike, decay: Schedule) -> Schedule:
    """optax's warmup presets: `linear_schedule` to ``peak_value`` joined with ``decay`` at ``warmup_steps`` (none for a concrete 0)."""
    if is_zero(warmup_steps):
        return decay
    return join([linear_schedule(init_value, peak_value, warmup_steps), decay], boundaries=one(warmup_steps))


def polynomial_schedule(
    init_value: ArrayLike, end_value: ArrayLike, power: ArrayLike, transition_steps: ArrayLike, transition_begin: ArrayLike = 0
) -> Schedule:
    r"""optax's ``polynomial_schedule``: from ``init_value`` to ``end_value`` over ``transition_steps`` after ``transition_begin``.

    .. math:: v(t) = (I - E)\,(1 - c / T)^{power} + E, \quad c = \mathrm{clip}(t - B, 0, T)

    ``transition_steps <= 0`` gives the constant ``init_value``; a negative
    ``transition_begin`` acts as 0.

    >>> from lrjax.compat import optax
    >>> s = optax.polynomial_schedule(1.0, 0.0, power=2, transition_steps=10, transition_begin=5)
    >>> print(s(5), s(10), s(20))
    1.0 0.25 0.0
    """
    if concretely(transition_steps, lambda v: v <= 0):
        return constant(init_value)
    begin = 0 if concretely(transition_begin, lambda v: v < 0) else transition_begin
    return _after(polynomial(init_value, end_value, steps=transition_steps, power=power), begin)


def linear_schedule(
    init_value: ArrayLike, end_value: ArrayLike, transition_steps: ArrayLike, transition_begin: ArrayLike = 0
) -> Schedule:
    """optax's ``linear_schedule``: `polynomial_schedule` with power 1.

    >>> from lrjax.compat import optax
    >>> print(optax.linear_schedule(1.0, 0.0, transition_steps=10)(5))
    0.5
    """
    return polynomial_schedule(init_value, end_value, 1.0, transition_steps, transition_begin)


def _sorted_items(where: str, boundaries_and_scales: Mapping[Any, ArrayLike] | None) -> tuple[list[float], list[Any]]:
    items = sorted((boundaries_and_scales or {}).items())
    scales = [s for _, s in items]
    if any(concretely(s, lambda v: v < 0) for s in scales):
        raise ValueError(f"`{where}` expects non-negative scale factors")
    return [float(b) for b, _ in items], scales


def piecewise_constant_schedule(init_value: ArrayLike, boundaries_and_scales: Mapping[int, ArrayLike] | None = None) -> Schedule:
    r"""optax's ``piecewise_constant_schedule``: ``init_value`` times every scale whose boundary has been reached.

    .. math:: v(t) = I \prod_{b_i \le t} s_i

    A scale applies *at* its boundary. A negative scale raises `ValueError`.

    >>> from lrjax.compat import optax
    >>> s = optax.piecewise_constant_schedule(1.0, {10: 0.5, 20: 0.1})
    >>> print(s(9), s(10), s(25))
    1.0 0.5 0.05
    """
    boundaries, scales = _sorted_items("piecewise_constant_schedule", boundaries_and_scales)
    return piecewise_constant(_cumulative(init_value, scales), boundaries=np.maximum(boundaries, 0))


def exponential_decay(
    init_value: ArrayLike,
    transition_steps: ArrayLike,
    decay_rate: ArrayLike,
    transition_begin: ArrayLike = 0,
    staircase: bool = False,
    end_value: ArrayLike | None = None,
) -> Schedule:
    r"""optax's ``exponential_decay``: ``init_value * decay_rate ** ((t - transition_begin) / transition_steps)``.

    With ``staircase`` the exponent is floored. ``end_value`` clips at every
    step (before ``transition_begin`` too): a floor when ``decay_rate < 1``, a
    ceiling otherwise. ``transition_steps <= 0`` or ``decay_rate == 0`` give
    the constant ``init_value``; a negative ``transition_begin`` acts as 0.

    >>> from lrjax.compat import optax
    >>> s = optax.exponential_decay(1.0, transition_steps=10, decay_rate=0.5, end_value=0.2)
    >>> print(s(10), s(100))
    0.5 0.2
    """
    if concretely(transition_steps, lambda v: v <= 0) or concretely(decay_rate, lambda v: v == 0):
        return constant(init_value)
    begin = 0 if concretely(transition_begin, lambda v: v < 0) else transition_begin
    decayed = _after(exponential(init_value, rate=decay_rate, steps=transition_steps, staircase=staircase), begin)
    if end_value is None:
        return decayed
    if concrete(decay_rate) is not None:
        return clip(decayed, min=end_value) if concretely(decay_rate, lambda v: v < 1) else clip(decayed, max=end_value)
    # A traced rate: a floor where it is below 1, a ceiling elsewhere, the other bound out of reach.
    far = jnp.finfo(FLOAT).max
    rate, end = jnp.asarray(decay_rate, FLOAT), jnp.asarray(end_value, FLOAT)
    return clip(decayed, min=jnp.where(rate < 1, end, -far), max=jnp.where(rate < 1, far, end))


def cosine_decay_schedule(init_value: ArrayLike, decay_steps: ArrayLike, alpha: ArrayLike = 0.0, exponent: ArrayLike = 1.0) -> Schedule:
    r"""optax's ``cosine_decay_schedule``: a half cosine from ``init_value`` to ``alpha * init_value``.

    .. math:: v(t) = I\left((1 - \alpha)\left(\tfrac{1}{2}(1 + \cos \tfrac{\pi \min(t, T)}{T})\right)^{exponent} + \alpha\right)

    ``decay_steps <= 0`` raises `ValueError`, as in optax.

    >>> from lrjax.compat import optax
    >>> s = optax.cosine_decay_schedule(1.0, decay_steps=100, alpha=0.1)
    >>> print(s(0), s(100), s(1000))
    1.0 0.1 0.1
    """
    if concretely(decay_steps, lambda v: ~(v > 0)):
        raise ValueError(f"The cosine_decay_schedule requires positive decay_steps, got decay_steps={decay_steps}.")
    end = jnp.asarray(alpha, FLOAT) * init_value
    return cosine(init_value, end, steps=decay_steps, power=exponent)


def piecewise_interpolate_schedule(
    interpolate_type: str, init_value: ArrayLike, boundaries_and_scales: Mapping[int, ArrayLike] | None = None
) -> Schedule:
    r"""optax's ``piecewise_interpolate_schedule``: the knots :math:`(0, I), (b_1, I s_1), (b_2, I s_1 s_2), \ldots`, interpolated.

    ``interpolate_type`` is ``"linear"`` or ``"cosine"``; the last value holds
    after the last boundary. Other types or a negative scale raise `ValueError`.

    >>> from lrjax.compat import optax
    >>> s = optax.piecewise_interpolate_schedule("linear", 1.0, {10: 0.5, 20: 0.0})
    >>> print(s(5), s(15), s(30))
    0.75 0.25 0.0
    """
    if interpolate_type not in ("linear", "cosine"):
        raise ValueError("`interpolate_type` must be either 'cosine' or 'linear'")
    boundaries, scales = _sorted_items("piecewise_interpolate_schedule", boundaries_and_scales)
    return piecewise_linear(_cumulative(init_value, scales), boundaries=[0.0, *np.maximum(boundaries, 0)], shape=interpolate_type)


def _onecycle(interpolate_type: str, transition_steps: ArrayLike, peak_value: ArrayLike, div_factor: ArrayLike,
              knots: list[tuple[ArrayLike | None, ArrayLike]]) -> Schedule:
    """``piecewise_interpolate_schedule`` from ``peak / div`` through ``(int(pct * T), scale)`` knots (``pct=None``: at ``T``).

    Concrete lengths and fractions build optax's dict, where a repeated key keeps
    the last scale; traced ones give the same knots as arrays (the same values
    whenever the knots are distinct, as they are for any ``T >= 4``).
    """
    if concretely(transition_steps, lambda v: v <= 0):
        raise ValueError("A linear onecycle schedule was set with a non-positive `transition_steps`")
    div = jnp.asarray(div_factor, FLOAT)
    fractions = [transition_steps] + [pct for pct, _ in knots if pct is not None]
    if all(concrete(x) is not None for x in fractions):
        steps = float(concrete(transition_steps))
        at = {(int(float(concrete(pct)) * steps) if pct is not None else steps): scale for pct, scale in knots}
        return piecewise_interpolate_schedule(interpolate_type, peak_value / div, at)
    t = jnp.asarray(transition_steps, FLOAT)
    bounds = jnp.stack([jnp.zeros_like(t)] + [jnp.floor(jnp.asarray(pct, FLOAT) * t) if pct is not None else t for pct, _ in knots])
    return piecewise_linear(_cumulative(peak_value / div, [scale for _, scale in knots]), boundaries=bounds, shape=interpolate_type)


def linear_onecycle_schedule(
    transition_steps: ArrayLike,
    peak_value: ArrayLike,
    pct_start: ArrayLike = 0.3,
    pct_final: ArrayLike = 0.85,
    div_factor: ArrayLike = 25.0,
    final_div_factor: ArrayLike = 1e4,
) -> Schedule:
    """optax's ``linear_onecycle_schedule``: linear from ``peak/div`` up to ``peak``, back to ``peak/div``, then to ``peak/(div*final_div)``.

    The knots are at ``int(pct_start * T)``, ``int(pct_final * T)`` and ``T``.

    >>> from lrjax.compat import optax
    >>> s = optax.linear_onecycle_schedule(100, peak_value=1.0)
    >>> print(s(0), s(30), s(85), s(100))
    0.04 1.0 0.04 4e-06
    """
    div = jnp.asarray(div_factor, FLOAT)
    knots = [(pct_start, div), (pct_final, 1.0 / div), (None, 1.0 / jnp.asarray(final_div_factor, FLOAT))]
    return _onecycle("linear", transition_steps, peak_value, div, knots)


def cosine_onecycle_schedule(
    transition_steps: ArrayLike, peak_value: ArrayLike, pct_start: ArrayLike = 0.3, div_factor: ArrayLike = 25.0, final_div_factor: ArrayLike = 1e4
) -> Schedule:
    """optax's ``cosine_onecycle_schedule``: cosine from ``peak/div`` up to ``peak``, then down to ``peak/(div*final_div)``.

    The knots are at ``int(pct_start * T)`` and ``T``.

    >>> from lrjax.compat import optax
    >>> s = optax.cosine_onecycle_schedule(100, peak_value=1.0)
    >>> print(s(0), s(30), s(100))
    0.04 1.0 4e-06
    """
    div = jnp.asarray(div_factor, FLOAT)
    return _onecycle("cosine", transition_steps, peak_value, div, [(pct_start, div), (None, 1.0 / (div * final_div_factor))])


def warmup_constant_schedule(init_value: ArrayLike, peak_value: ArrayLike, warmup_steps: ArrayLike) -> Schedule:
    """optax's ``warmup_constant_schedule``: linear from ``init_value`` to ``peak_value``, then ``peak_value``.

    As in optax, ``warmup_steps <= 0`` gives the constant ``init_value``.

    >>> from lrjax.compat import optax
    >>> s = optax.warmup_constant_schedule(0.0, 1.0, warmup_steps=10)
    >>> print(s(5), s(50))
    0.5 1.0
    """
    return linear_schedule(init_value, peak_value, warmup_steps)


def warmup_cosine_decay_schedule(
    init_value: ArrayLike,
    peak_value: ArrayLike,
    warmup_steps: ArrayLike,
    decay_steps: ArrayLike,
    end_value: ArrayLike = 0.0,
    exponent: ArrayLike = 1.0,
) -> Schedule:
    """optax's ``warmup_cosine_decay_schedule``: linear warmup to ``peak_value``, then a cosine to ``end_value``.

    ``decay_steps`` is the total length, warmup included; ``decay_steps <=
    warmup_steps`` raises `ValueError`. With ``peak_value == 0`` it ends at 0.

    >>> from lrjax.compat import optax
    >>> s = optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=10, decay_steps=110, end_value=0.1)
    >>> print(s(5), s(10), s(110))
    0.5 1.0 0.1
    """
    cosine_steps = Duration.of(decay_steps) - Duration.of(warmup_steps)
    if concretely(cosine_steps.coarse, lambda v: cosine_steps.exact() <= 0):
        raise ValueError(f"The cosine_decay_schedule requires positive decay_steps, got decay_steps={float(cosine_steps.exact()):g}.")
    end = 0.0 if concretely(peak_value, lambda v: v == 0) else end_value
    return _warmed_up(init_value, peak_value, warmup_steps, cosine(peak_value, end, steps=cosine_steps, power=exponent))


def warmup_exponential_decay_schedule(
    init_value: ArrayLike,
    peak_value: ArrayLike,
    warmup_steps: ArrayLike,
    transition_steps: ArrayLike,
    decay_rate: ArrayLike,
    transition_begin: ArrayLike = 0,
    staircase: bool = False,
    end_value: ArrayLike | None = None,
) -> Schedule:
    """optax's ``warmup_exponential_decay_schedule``: linear warmup to ``peak_value``, then `exponential_decay` on its own clock.

    >>> from lrjax.compat import optax
    >>> s = optax.warmup_exponential_decay_schedule(0.0, 1.0, warmup_steps=10, transition_steps=10, decay_rate=0.5)
    >>> print(s(5), s(10), s(20))
    0.5 1.0 0.5
    """
    decay = exponential_decay(peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)
    return _warmed_up(init_value, peak_value, warmup_steps, decay)


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, ArrayLike]]) -> Schedule:
    """optax's ``sgdr_schedule``: one `warmup_cosine_decay_schedule` per dict, one after another, the last one held.

    Each cycle lasts its ``decay_steps``. For many equal or growing cycles,
    ``lrjax.sgdr`` or ``lrjax.restart`` compile to a program that does not grow
    with the number of cycles.

    >>> from lrjax.compat import optax
    >>> s = optax.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=0, decay_steps=10)] * 2)
    >>> print(s(9), s(10), s(20))
    0.024471745 1.0 0.0
    """
    schedules, boundaries, start = [], [], 0
    for kwargs in cosine_kwargs:
        schedules.append(warmup_cosine_decay_schedule(**kwargs))
        start = start + kwargs["decay_steps"]
        boundaries.append(start)
    return join(schedules, boundaries=boundaries[:-1])


def join_schedules(schedules: Sequence[Schedule | ArrayLike], boundaries: Sequence[ArrayLike] | ArrayLike) -> Schedule:
    """optax's ``join_schedules``: ``schedules[i]`` on its own clock from ``boundaries[i-1]``.

    As optax's loop of ``where(t < b, previous, next(t - b))``: a piece runs
    from its boundary until a later piece's boundary is reached, so unsorted
    boundaries give optax's values, and extra schedules or boundaries are
    ignored as ``zip`` ignores them.

    >>> import lrjax
    >>> from lrjax.compat import optax
    >>> s = optax.join_schedules([lrjax.constant(1.0), lrjax.linear(1.0, 0.0, steps=10)], [5])
    >>> print(s(4), s(10))
    1.0 0.5
    """
    boundaries = jnp.atleast_1d(jnp.asarray(boundaries, FLOAT))
    n = min(len(schedules) - 1, boundaries.shape[0])
    # Piece i runs while t >= b_i and t < b_j for every later j: from the suffix minimum of the boundaries.
    runs_from = jax.lax.cummin(boundaries[:n], reverse=True)
    return join(list(schedules[: n + 1]), boundaries=runs_from)
