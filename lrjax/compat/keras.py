"""Keras 3's ``keras.optimizers.schedules`` and TF1's ``tf.compat.v1.train.*_decay``, as lrjax schedules.

The classes take Keras's arguments; the TF1 functions take TF1's arguments
without ``global_step``: the step is the schedule's argument. Values are
Keras's at integer steps (``schedule(optimizer.iterations)``). Neither Keras nor
TensorFlow is imported. Keras's ``name`` argument is not taken (lrjax
schedules have no op names).

**Where lrjax differs:**

- `CosineDecayRestarts` and `cosine_decay_restarts` find the cycle exactly
  (`lrjax.restart`): Keras's float32 logarithm misrounds some restarts (for
  ``first_decay_steps=1, t_mul=2`` step 8191 gives 0 instead of the peak).
  ``t_mul`` must be >= 1 here.
- Keras computes in float32 from a float32 step, so past 2**24 steps its step
  is rounded; lrjax keeps integer steps exact.
- `PiecewiseConstantDecay` is right-closed at integer steps: ``values[i+1]``
  starts at ``boundaries[i] + 1``.
- `noisy_linear_cosine_decay` draws its noise from `lrjax.noise` with a
  ``seed``, a deterministic function of the step (TF's is unseeded); its
  variance decay is a Python function, so it has no config or expression.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .. import _fields as f
from .._anneal import cosine, linear, polynomial
from .._arith import Duration, Step, concrete, floor_div, power_no_growth
from .._cycle import restart
from .._decay import exponential, inverse_time
from .._from_fn import from_fn
from .._join import join
from .._noise import noise
from .._piecewise import piecewise_constant as _piecewise_constant
from .._ramps import warmup
from .._schedule import Schedule, constant
from ._common import as_float, computed, cosine_wave, number, one

__all__ = [
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "exponential_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "piecewise_constant",
    "cosine_decay",
    "cosine_decay_restarts",
    "linear_cosine_decay",
    "noisy_linear_cosine_decay",
]

def _positive(name: str, value: ArrayLike) -> None:
    v = concrete(value)
    if v is not None and not v > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


def ExponentialDecay(  # noqa: N802
    initial_learning_rate: ArrayLike, decay_steps: ArrayLike, decay_rate: ArrayLike, staircase: bool = False
) -> Schedule:
    r"""Keras's ``ExponentialDecay``: :math:`lr_0 \cdot rate^{\,s / D}` (:math:`\lfloor s / D \rfloor` with ``staircase``).

    >>> from lrjax.compat import keras
    >>> print(keras.ExponentialDecay(1.0, decay_steps=10, decay_rate=0.5)(20))
    0.25
    """
    _positive("decay_steps", decay_steps)
    return exponential(initial_learning_rate, rate=decay_rate, steps=decay_steps, staircase=staircase)


def PiecewiseConstantDecay(boundaries: ArrayLike, values: ArrayLike) -> Schedule:  # noqa: N802
    """Keras's ``PiecewiseConstantDecay``: ``values[0]`` up to and including ``boundaries[0]``, and so on.

    >>> from lrjax.compat import keras
    >>> s = keras.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1])
    >>> print(s(5), s(6), s(10), s(11))
    1.0 0.5 0.5 0.1
    """
    nb, nv = (jnp.shape(jnp.atleast_1d(as_float(x)))[-1] for x in (boundaries, values))  # static, traced or not
    if nb != nv - 1:
        raise ValueError(
            "The length of boundaries should be 1 less than the length of values. Received: "
            f"boundaries={boundaries} of length {nb}, and values={values} of length {nv}."
        )
    return _piecewise_constant(values, boundaries=Duration.of(boundaries) + Duration.of(1))


class StretchedPolynomial(Schedule):
    r"""Keras's ``PolynomialDecay(cycle=True)``: the horizon is the first multiple of ``decay_steps`` that is at least ``t``.

    .. math:: v(t) = (lr_0 - end)\left(1 - \frac{t}{H}\right)^{power} + end, \quad H = D \max(1, \lceil t / D \rceil)

    >>> from lrjax.compat import keras
    >>> keras.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.1, power=2.0, cycle=True)
    keras.PolynomialDecay(initial_learning_rate=1.0, decay_steps=10, end_learning_rate=0.1, power=2.0)
    """

    name = "keras.PolynomialDecay"
    initial_learning_rate: jax.Array = f.value()
    decay_steps: Duration = f.duration(gt=0)
    end_learning_rate: jax.Array = f.value(1e-4)
    power: jax.Array = f.value(1.0, ge=0)

    def _evaluate(self, t: Step) -> jax.Array:
        q, r = floor_div(t, self.decay_steps)
        multiple = jnp.maximum(q + (r.float() > 0).astype(q.dtype), 1)
        horizon = self.decay_steps.total() * multiple
        left = jnp.clip((horizon - t.float()) / jnp.where(horizon > 0, horizon, 1), 0, 1)
        lr, end = self.initial_learning_rate, self.end_learning_rate
        return (lr - end) * power_no_growth(left, self.power) + end


def PolynomialDecay(  # noqa: N802
    initial_learning_rate: ArrayLike, decay_steps: ArrayLike, end_learning_rate: ArrayLike = 1e-4, power: ArrayLike = 1.0, cycle: bool = False
) -> Schedule:
    r"""Keras's ``PolynomialDecay``: :math:`(lr_0 - end)(1 - \min(s, D)/D)^{power} + end`.

    With ``cycle=True`` the horizon stretches instead of holding: it is the
    first multiple of ``decay_steps`` that is at least ``s``, so the lr jumps
    up a little after each multiple and decays to ``end`` again (it does not
    restart at :math:`lr_0`).

    >>> from lrjax.compat import keras
    >>> s = keras.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.1, power=2.0, cycle=True)
    >>> print(s(10), s(11))
    0.1 0.28225
    """
    _positive("decay_steps", decay_steps)
    if not cycle:
        return polynomial(initial_learning_rate, end_learning_rate, steps=decay_steps, power=power)
    return StretchedPolynomial(initial_learning_rate, decay_steps, end_learning_rate, power)


def InverseTimeDecay(  # noqa: N802
    initial_learning_rate: ArrayLike, decay_steps: ArrayLike, decay_rate: ArrayLike, staircase: bool = False
) -> Schedule:
    r"""Keras's ``InverseTimeDecay``: :math:`lr_0 / (1 + rate \cdot s / D)` (floored with ``staircase``).

    >>> from lrjax.compat import keras
    >>> print(keras.InverseTimeDecay(1.0, decay_steps=10, decay_rate=1.0)(10))
    0.5
    """
    _positive("decay_steps", decay_steps)
    return inverse_time(initial_learning_rate, rate=decay_rate, steps=decay_steps, staircase=staircase)


def CosineDecay(  # noqa: N802
    initial_learning_rate: ArrayLike,
    decay_steps: ArrayLike,
    alpha: ArrayLike = 0.0,
    warmup_target: ArrayLike | None = None,
    warmup_steps: ArrayLike = 0,
) -> Schedule:
    r"""Keras's ``CosineDecay``: :math:`lr_0((1 - \alpha)\tfrac12(1 + \cos(\pi \min(s, D)/D)) + \alpha)`.

    With ``warmup_target``, a linear warmup from :math:`lr_0` to the target over
    ``warmup_steps`` comes first and the cosine starts from the target;
    without it ``warmup_steps`` is ignored, as in Keras.

    >>> from lrjax.compat import keras
    >>> s = keras.CosineDecay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    >>> print(s(5), s(10), s(110))
    0.5 1.0 0.0
    """
    _positive("decay_steps", decay_steps)
    if warmup_target is None:
        return cosine(initial_learning_rate, as_float(alpha) * initial_learning_rate, steps=decay_steps)
    return warmup(cosine(warmup_target, as_float(alpha) * warmup_target, steps=decay_steps), steps=warmup_steps, init=initial_learning_rate)


def CosineDecayRestarts(  # noqa: N802
    initial_learning_rate: ArrayLike, first_decay_steps: ArrayLike, t_mul: ArrayLike = 2.0, m_mul: ArrayLike = 1.0, alpha: ArrayLike = 0.0
) -> Schedule:
    r"""Keras's ``CosineDecayRestarts``: cosine cycles whose lengths grow by ``t_mul`` and peaks by ``m_mul``.

    .. math:: lr_0\left((1 - \alpha)\,m^{\,i}\,\tfrac12(1 + \cos \pi f) + \alpha\right)

    in cycle :math:`i` at fraction :math:`f`; ``alpha`` is not scaled by ``m_mul``.

    >>> from lrjax.compat import keras
    >>> s = keras.CosineDecayRestarts(1.0, first_decay_steps=10, m_mul=0.5, alpha=0.1)
    >>> print(s(10), s(30))
    0.55 0.325
    """
    _positive("first_decay_steps", first_decay_steps)
    number("CosineDecayRestarts", "t_mul", t_mul, ge=1)  # Keras takes any t_mul; lrjax's restarts need >= 1
    lr = as_float(initial_learning_rate)
    alpha = as_float(alpha)
    cycles = restart(cosine(lr * (1 - alpha), steps=first_decay_steps), period=first_decay_steps, mult=t_mul, factor=m_mul)
    return cycles + lr * alpha


def exponential_decay(
    learning_rate: ArrayLike, decay_steps: ArrayLike, decay_rate: ArrayLike, staircase: bool = False
) -> Schedule:
    """TF1 ``exponential_decay`` (the step is the argument): `ExponentialDecay`.

    >>> from lrjax.compat import keras
    >>> print(keras.exponential_decay(1.0, 10, 0.5, staircase=True)(19))
    0.5
    """
    return ExponentialDecay(learning_rate, decay_steps, decay_rate, staircase)


def natural_exp_decay(learning_rate: ArrayLike, decay_steps: ArrayLike, decay_rate: ArrayLike, staircase: bool = False) -> Schedule:
    r"""TF1 ``natural_exp_decay``: :math:`lr \cdot e^{-k s / D}` (floored with ``staircase``).

    >>> from lrjax.compat import keras
    >>> print(keras.natural_exp_decay(1.0, 10, 1.0)(10))
    0.36787945
    """
    # A concrete decay_rate gives its rate e**-k in float64 (a Rate keeps it): e**-1e-4 rounded to float32 alone is 1e-6 off at 1e4 steps.
    k = concrete(decay_rate)
    rate = np.exp(-k.astype(np.float64)) if k is not None else jnp.exp(-as_float(decay_rate))
    return ExponentialDecay(learning_rate, decay_steps, rate, staircase)


def inverse_time_decay(learning_rate: ArrayLike, decay_steps: ArrayLike, decay_rate: ArrayLike, staircase: bool = False) -> Schedule:
    """TF1 ``inverse_time_decay``: `InverseTimeDecay`.

    >>> from lrjax.compat import keras
    >>> print(keras.inverse_time_decay(1.0, 10, 1.0)(30))
    0.25
    """
    return InverseTimeDecay(learning_rate, decay_steps, decay_rate, staircase)


def polynomial_decay(
    learning_rate: ArrayLike, decay_steps: ArrayLike, end_learning_rate: ArrayLike = 1e-4, power: ArrayLike = 1.0, cycle: bool = False
) -> Schedule:
    """TF1 ``polynomial_decay``: `PolynomialDecay`.

    >>> from lrjax.compat import keras
    >>> print(keras.polynomial_decay(1.0, 10, 0.0)(5))
    0.5
    """
    return PolynomialDecay(learning_rate, decay_steps, end_learning_rate, power, cycle)


def piecewise_constant(boundaries: ArrayLike, values: ArrayLike) -> Schedule:
    """TF1 ``piecewise_constant`` (without ``x``, the step): `PiecewiseConstantDecay`.

    >>> from lrjax.compat import keras
    >>> print(keras.piecewise_constant([5], [1.0, 0.5])(5))
    1.0
    """
    return PiecewiseConstantDecay(boundaries, values)


def cosine_decay(learning_rate: ArrayLike, decay_steps: ArrayLike, alpha: ArrayLike = 0.0) -> Schedule:
    """TF1 ``cosine_decay``: `CosineDecay` without warmup.

    >>> from lrjax.compat import keras
    >>> print(keras.cosine_decay(1.0, 100, alpha=0.1)(100))
    0.1
    """
    return CosineDecay(learning_rate, decay_steps, alpha)


def cosine_decay_restarts(
    learning_rate: ArrayLike, first_decay_steps: ArrayLike, t_mul: ArrayLike = 2.0, m_mul: ArrayLike = 1.0, alpha: ArrayLike = 0.0
) -> Schedule:
    """TF1 ``cosine_decay_restarts``: `CosineDecayRestarts`.

    >>> from lrjax.compat import keras
    >>> print(keras.cosine_decay_restarts(1.0, 10)(10))
    1.0
    """
    return CosineDecayRestarts(learning_rate, first_decay_steps, t_mul, m_mul, alpha)


def _clamped_wave(decay_steps: ArrayLike, num_periods: ArrayLike) -> Schedule:
    r""":math:`\tfrac12(1 + \cos(2\pi n \min(s, D) / D))`: a cosine wave of ``num_periods`` periods over ``decay_steps``, then held."""
    if (v := concrete(num_periods)) is not None and v <= 0:
        raise ValueError(f"num_periods must be > 0 here, got {num_periods}")
    # Concrete lengths and counts in float64: a fractional half period keeps its digits (see `computed`).
    wave = cosine_wave(1.0, 0.0, computed(lambda xp, d, n: d / (2 * xp.maximum(n, np.finfo(np.float32).tiny)), decay_steps, num_periods))
    held = computed(lambda xp, n: 0.5 * (1 + xp.cos(2 * xp.pi * n)), num_periods)
    return join([wave, constant(held)], boundaries=one(decay_steps))


def linear_cosine_decay(
    learning_rate: ArrayLike, decay_steps: ArrayLike, num_periods: ArrayLike = 0.5, alpha: ArrayLike = 0.0, beta: ArrayLike = 0.001
) -> Schedule:
    r"""TF1 ``linear_cosine_decay``: :math:`lr((\alpha + (D - s')/D)\,\tfrac12(1 + \cos(2\pi n s'/D)) + \beta)`, :math:`s' = \min(s, D)`.

    >>> from lrjax.compat import keras
    >>> s = keras.linear_cosine_decay(1.0, 100)
    >>> print(s(0), s(50), s(100))
    1.001 0.251 0.001
    """
    lr = as_float(learning_rate)
    return (alpha + linear(1.0, 0.0, steps=decay_steps)) * _clamped_wave(decay_steps, num_periods) * lr + lr * beta


def _noise_std(step: jax.Array, initial_variance: jax.Array, variance_decay: jax.Array, decay_steps: jax.Array) -> jax.Array:
    """TF's noise standard deviation, ``sqrt(initial_variance / (1 + min(step, decay_steps)) ** variance_decay)``."""
    return jnp.sqrt(initial_variance / (1 + jnp.minimum(step, decay_steps)) ** variance_decay)


def noisy_linear_cosine_decay(
    learning_rate: ArrayLike,
    decay_steps: ArrayLike,
    initial_variance: ArrayLike = 1.0,
    variance_decay: ArrayLike = 0.55,
    num_periods: ArrayLike = 0.5,
    alpha: ArrayLike = 0.0,
    beta: ArrayLike = 0.001,
    seed: ArrayLike = 0,
) -> Schedule:
    r"""TF1 ``noisy_linear_cosine_decay``: `linear_cosine_decay` with Gaussian noise added to the linear term.

    The noise at step :math:`s` has standard deviation
    :math:`\sqrt{initial\_variance / (1 + s')^{variance\_decay}}` and is drawn by
    ``lrjax.noise(seed)``: the same for the same seed and step.

    >>> from lrjax.compat import keras
    >>> s = keras.noisy_linear_cosine_decay(1.0, 100, seed=3)
    >>> bool(s(10) == s(10)), bool(s(10) != keras.linear_cosine_decay(1.0, 100)(10))
    (True, True)
    """
    lr = as_float(learning_rate)
    std = from_fn(_noise_std, initial_variance=initial_variance, variance_decay=variance_decay, decay_steps=decay_steps)
    noisy_linear = alpha + linear(1.0, 0.0, steps=decay_steps) + std * noise(seed=seed)
    return noisy_linear * _clamped_wave(decay_steps, num_periods) * lr + lr * beta
