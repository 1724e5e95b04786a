"""Deterministic per-step noise, for noisy schedules (timm's lr noise, TF's noisy linear-cosine decay)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from . import _fields as f
from ._arith import Step
from ._schedule import Schedule


class noise(Schedule):  # noqa: N801
    r"""A standard normal draw at every step: the same for the same ``seed`` and step, independent across steps.

    .. math:: v(t) = z_t, \quad z_t \sim \mathcal{N}(0, 1) \text{ drawn with } \mathrm{fold\_in}(\mathrm{key}(seed), \lfloor t \rfloor)

    With ``bound`` the draw is conditioned on :math:`|z_t| < bound` (a
    truncated normal), as timm resamples its noise until it is within
    ``noise_pct``. Combine it with other schedules, e.g.
    ``lr * (1 + 0.1 * noise(seed=42, bound=2.0))``. ``seed`` is a leaf (a
    whole number in ``[0, 2**24)``, exact in float32; a traced one is rounded), so a vmapped sweep can give
    each run its own noise. Fractional steps use the noise of their whole step.

    >>> import lrjax
    >>> z = lrjax.noise(seed=1, bound=2.0)
    >>> bool(z(7) == z(7)), bool(z(7) != z(8)), bool(abs(z(7)) < 2)
    (True, True, True)
    """

    _: dataclasses.KW_ONLY
    seed: jax.Array = f.value(0, ge=0, lt=2**24, whole=True)
    bound: jax.Array | None = f.value(None, gt=0)

    def _evaluate(self, t: Step) -> jax.Array:
        dtype = self.seed.dtype
        key = jax.random.key(jnp.round(jnp.clip(self.seed, 0, 2**24 - 1)).astype(jnp.uint32))

        def draw(step: jax.Array) -> jax.Array:
            k = jax.random.fold_in(key, step)
            if self.bound is None:
                return jax.random.normal(k, (), dtype)
            bound = jnp.maximum(self.bound, np.finfo(dtype).tiny)
            return jax.random.truncated_normal(k, -bound, bound, (), dtype)

        return jnp.vectorize(draw)(t.whole)
