"""Schedules users ask for by name, each a composition of primitives and combinators."""

from __future__ import annotations

from jax.typing import ArrayLike

from . import _checks as check
from ._anneal import cosine, linear
from ._cycle import restart
from ._decay import inverse_sqrt
from ._ramps import Warmup, warmup


def _decay_steps(where: str, warmup_steps: ArrayLike, total_steps: ArrayLike):
    warmup_steps = check.number(where, "warmup_steps", warmup_steps, ge=0)
    total_steps = check.number(where, "total_steps", total_steps, ge=0)
    check.related(where, "total_steps must be >= warmup_steps", lambda total_steps, warmup_steps: total_steps >= warmup_steps,
                  total_steps=total_steps, warmup_steps=warmup_steps)
    return warmup_steps, total_steps - warmup_steps


def warmup_cosine(
    peak: ArrayLike, warmup_steps: ArrayLike, total_steps: ArrayLike, init: ArrayLike = 0.0, end: ArrayLike = 0.0
) -> Warmup:
    """Linear warmup from ``init`` to ``peak``, then cosine decay to ``end`` at ``total_steps`` (warmup included).

    ``warmup(cosine(peak, total_steps - warmup_steps, end), warmup_steps, init)``;
    the same curve as optax's ``warmup_cosine_decay_schedule`` (whose
    ``decay_steps`` is this ``total_steps``).

    >>> import lrjax
    >>> s = lrjax.warmup_cosine(peak=1.0, warmup_steps=10, total_steps=110)
    >>> print(s(5), s(10), s(110))
    0.5 1.0 0.0
    """
    warmup_steps, decay_steps = _decay_steps("warmup_cosine", warmup_steps, total_steps)
    return warmup(cosine(peak, decay_steps, end=end), warmup_steps, init=init)


def warmup_linear(
    peak: ArrayLike, warmup_steps: ArrayLike, total_steps: ArrayLike, init: ArrayLike = 0.0, end: ArrayLike = 0.0
) -> Warmup:
    """Linear warmup from ``init`` to ``peak``, then linear decay to ``end`` at ``total_steps`` (warmup included).

    ``warmup(linear(peak, end, total_steps - warmup_steps), warmup_steps, init)``;
    Hugging Face's ``get_linear_schedule_with_warmup`` shape.

    >>> import lrjax
    >>> s = lrjax.warmup_linear(peak=1.0, warmup_steps=10, total_steps=110)
    >>> print(s(5), s(60), s(200))
    0.5 0.5 0.0
    """
    warmup_steps, decay_steps = _decay_steps("warmup_linear", warmup_steps, total_steps)
    return warmup(linear(peak, end, decay_steps), warmup_steps, init=init)


def sgdr(
    peak: ArrayLike,
    period: ArrayLike,
    mult: ArrayLike = 2.0,
    decay: ArrayLike = 1.0,
    end: ArrayLike = 0.0,
    warmup_steps: ArrayLike = 0,
) -> Warmup:
    """Cosine annealing with warm restarts (Loshchilov & Hutter, 2017), after an optional linear warmup.

    ``warmup(restart(cosine(peak, period, end), period, mult, decay), warmup_steps)``:
    the first cycle lasts ``period`` steps, each next one ``mult`` times longer
    with a peak ``decay`` times lower (torch's ``CosineAnnealingWarmRestarts``
    with ``T_mult``, plus timm's ``cycle_decay``), and the restart clock starts
    after the warmup. A warmup of 0 steps changes nothing.

    >>> import lrjax
    >>> s = lrjax.sgdr(peak=1.0, period=10, mult=2.0, decay=0.5)
    >>> print(s(0), s(10), s(30))
    1.0 0.5 0.25
    """
    cycles = restart(cosine(peak, period, end=end), period, mult=mult, decay=decay)
    return warmup(cycles, check.number("sgdr", "warmup_steps", warmup_steps, ge=0))


def warmup_inverse_sqrt(peak: ArrayLike, warmup_steps: ArrayLike) -> Warmup:
    r"""Linear warmup to ``peak``, then ``peak * sqrt(warmup_steps / t)`` (the Transformer schedule).

    ``warmup(inverse_sqrt(peak, timescale=warmup_steps), warmup_steps)``: for
    :math:`t \ge W` the inner clock is :math:`t - W`, so the value is
    :math:`peak\sqrt{W / t}`, as Hugging Face's ``get_inverse_sqrt_schedule``.

    >>> import lrjax
    >>> s = lrjax.warmup_inverse_sqrt(peak=1.0, warmup_steps=100)
    >>> print(s(50), s(100), s(400))
    0.5 1.0 0.5
    """
    warmup_steps = check.number("warmup_inverse_sqrt", "warmup_steps", warmup_steps, gt=0)
    return warmup(inverse_sqrt(peak, timescale=warmup_steps), warmup_steps)
