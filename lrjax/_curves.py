"""Curves of schedules: `values` evaluates them, `plot` draws them (with matplotlib, from the ``plot`` extra)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ._schedule import Schedule

_INT32_MAX = int(np.iinfo(np.int32).max)


def _last_step(steps: int | ArrayLike) -> int | None:
    """``n`` when ``steps`` is an int (the steps ``0, 1, ..., n``), None when it is an array of steps."""
    try:
        n = operator.index(steps)
    except TypeError:
        return None
    if not 0 <= n < _INT32_MAX:
        raise ValueError(f"values: steps must be an int in [0, {_INT32_MAX}) or an array of steps, got {n}")
    return n


def steps_of(steps: int | ArrayLike) -> jax.Array:
    """``steps`` as an array: an int ``n`` means the steps ``0, 1, ..., n``."""
    n = _last_step(steps)
    return jnp.asarray(steps) if n is None else jnp.arange(n + 1)


def values(schedule: Schedule, steps: int | ArrayLike) -> jax.Array:
    """The values of ``schedule`` at ``steps``, computed in one jitted, vmapped call.

    ``steps`` is an int ``n`` (the steps ``0, 1, ..., n``, so a curve
    includes its end) or an array of steps of any shape; the result has the
    shape of the steps, preceded by the batch shape of a stacked schedule (as
    calling the schedule gives). The schedule is an argument of the jitted
    function, so curves of one structure with new hyperparameters compile
    once.

    >>> import lrjax
    >>> print(lrjax.values(lrjax.linear(1.0, 0.0, steps=4), 4))
    [1.   0.75 0.5  0.25 0.  ]
    """
    if not isinstance(schedule, Schedule):
        raise ValueError(f"values: schedule must be an lrjax schedule, got {type(schedule).__name__}")
    n = _last_step(steps)
    return _evaluate(schedule, jnp.asarray(steps)) if n is None else _evaluate_range(schedule, n)


@jax.jit
def _evaluate(schedule: Schedule, steps: jax.Array) -> jax.Array:
    return schedule(steps)


@functools.partial(jax.jit, static_argnums=1)
def _evaluate_range(schedule: Schedule, n: int) -> jax.Array:
    # The steps are made inside the compiled function: no array of them is written first.
    return schedule(jnp.arange(n + 1))


def plot(
    schedules: Schedule | Sequence[Schedule] | Mapping[str, Schedule],
    steps: int | ArrayLike,
    ax: Any = None,
    log: bool = False,
) -> Any:
    """Draws the curves of ``schedules`` over ``steps`` (as in `values`) on one matplotlib axes, labeled.

    ``schedules`` is a schedule, a list of them (labeled by their expressions)
    or a dict from label to schedule. ``ax`` defaults to a new figure's axes;
    ``log`` sets a logarithmic value axis. Returns the axes. Needs matplotlib
    (``pip install 'lrjax[plot]'``); importing lrjax does not import it.

    >>> import lrjax
    >>> ax = lrjax.plot({"cosine": lrjax.cosine(1.0, steps=100), "linear": lrjax.linear(1.0, 0.0, steps=100)}, 100)
    >>> [line.get_label() for line in ax.get_lines()]
    ['cosine', 'linear']
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("lrjax.plot needs matplotlib: pip install 'lrjax[plot]'") from e
    if isinstance(schedules, Schedule):
        schedules = [schedules]
    labeled = list(schedules.items()) if isinstance(schedules, Mapping) else [(_label(s), s) for s in schedules]
    at = steps_of(steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for label, schedule in labeled:
        ax.plot(np.asarray(at), np.asarray(values(schedule, at)), label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("value")
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def _label(s: Schedule, width: int = 70) -> str:
    text = repr(s)
    return text if len(text) <= width else text[: width - 3] + "..."
