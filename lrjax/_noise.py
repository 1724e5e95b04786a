"""Deterministic per-step noise, for noisy schedules (timm's lr noise, TF's noisy linear-cosine decay)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _checks as check
from ._arith import Step
from ._schedule import Schedule


class Noise(Schedule):
    name = "noise"
    seed: jax.Array
    bound: jax.Array | None

    def _evaluate(self, t: Step) -> jax.Array:
        dtype = self.seed.dtype
        key = jax.random.key(jnp.round(jnp.maximum(self.seed, 0)).astype(jnp.uint32))

        def draw(step: jax.Array) -> jax.Array:
            k = jax.random.fold_in(key, step)
            if self.bound is None:
                return jax.random.normal(k, (), dtype)
            bound = jnp.maximum(self.bound, np.finfo(dtype).tiny)
            return jax.random.truncated_normal(k, -bound, bound, (), dtype)

        return jnp.vectorize(draw)(t.whole)


def noise(seed: ArrayLike = 0, bound: ArrayLike | None = None) -> Noise:
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
    where = "noise"
    seed = check.number(where, "seed", seed, ge=0, lt=2**24)
    check.related(where, "seed must be a whole number", lambda seed: seed % 1 == 0, seed=seed)
    return Noise(seed=seed, bound=None if bound is None else check.number(where, "bound", bound, gt=0))
