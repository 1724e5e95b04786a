"""Wrapping any jittable function of the step as a schedule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
from jax.typing import ArrayLike

from . import _fields as f
from ._arith import Step
from ._fields import Param
from ._schedule import Schedule
from ._tree import write_value

_HYPERPARAMETER = Param("value")


class from_fn(Schedule):  # noqa: N801
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

    fn: Callable[..., ArrayLike] = f.function()
    hyperparams: dict[str, jax.Array] = f.declare(Param("hyperparams"), None)

    def __init__(self, fn: Callable[..., ArrayLike], /, **hyperparams: ArrayLike):
        object.__setattr__(self, "fn", Param("function").convert(self.name, "fn", fn))
        converted = {k: _HYPERPARAMETER.convert(self.name, k, v) for k, v in hyperparams.items()}
        object.__setattr__(self, "hyperparams", converted)

    def _evaluate(self, t: Step) -> jax.Array:
        return self.fn(t.float(), **self.hyperparams)

    def arguments(self) -> dict[str, Any]:
        return {"fn": self.fn, **self.hyperparams}

    def write(self) -> str:
        parts = [getattr(self.fn, "__name__", repr(self.fn))]
        parts += [f"{k}={write_value(v, _HYPERPARAMETER)}" for k, v in self.hyperparams.items()]
        return f"from_fn({', '.join(parts)})"
