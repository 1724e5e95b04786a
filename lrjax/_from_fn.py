"""Wrapping any jittable function of the step as a schedule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step
from ._pytree import static
from ._schedule import Schedule


class FromFn(Schedule):
    name = "from_fn"
    fn: Callable[..., ArrayLike] = static()
    hyperparams: dict[str, jax.Array]

    def _evaluate(self, t: Step) -> jax.Array:
        return self.fn(t.float(), **self.hyperparams)

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.fn,), dict(self.hyperparams)


def from_fn(fn: Callable[..., ArrayLike], /, **hyperparams: ArrayLike) -> FromFn:
    r"""Any jittable ``fn(step, **hyperparams)`` as a schedule whose hyperparameters are leaves.

    ``fn`` is static: it is part of the tree structure, so a new function
    object (a new ``lambda``) compiles anew, while new hyperparameter values do
    not. ``step`` reaches ``fn`` clamped at 0 and as a float array of the
    schedule's dtype. Each hyperparameter becomes a floating leaf.

    .. math:: v(t) = fn(t, **hyperparams)

    >>> import jax.numpy as jnp
    >>> import lrjax
    >>> def rsqrt(step, scale):
    ...     return scale / jnp.sqrt(step + 1.0)
    >>> print(lrjax.from_fn(rsqrt, scale=2.0)(3))
    1.0
    """
    if not callable(fn):
        raise ValueError(f"from_fn: fn must be callable, got {fn!r}")
    return FromFn(fn=fn, hyperparams={k: check.number("from_fn", k, v) for k, v in hyperparams.items()})
