"""Choosing a learning rate: the range test and the parallel scan of constant rates (`find_lr`).

Both methods train from the given parameters without changing them (JAX
arrays are immutable), each in one jitted program: the range test is one
``lax.scan`` over an exponential ramp, the parallel scan one ``vmap`` of a
``lax.scan`` over N constant rates. The suggestions are computed on the host
from the recorded curves and returned as numbers.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ._cyclical import one_cycle
from ._decay import exponential
from ._inject import inject
from ._presets import warmup_cosine
from ._schedule import Schedule, constant

#: Fewest steps either method accepts: below it, neither the curve nor its trimming means anything.
MIN_STEPS = 10
#: Weight of the past in the short smoothing that detects divergence (a window of about 2 steps).
_DETECT_BETA = 0.5
#: How many steps before the short-smoothed minimum the divergence start is looked for.
_DETECT_BACK = 5

METHODS = ("range", "parallel")


@dataclasses.dataclass(frozen=True, eq=False)  # arrays: == would be ambiguous
class LRFinderResult:
    """What `find_lr` measured, and the learning rates it suggests.

    Range test (``method="range"``), ``steps`` points:

    - ``lrs[i]``: the learning rate of update ``i``; ``losses[i]``: the raw
      loss at the parameters before update ``i`` (NaN after the run stopped);
    - ``smoothed[i]``: the bias-corrected exponential average of
      ``losses[:i+1]``; ``smoothed_lrs[i]``: the same average of ``log(lrs)``,
      exponentiated, i.e. the learning rate the smoothed point stands for;
    - ``diverged_at``: the step from which the loss grows without recovering
      (its learning rate is ``lrs[diverged_at]``), or None.

    Parallel scan (``method="parallel"``), N rates:

    - ``lrs[k]``: the k-th constant rate; ``losses[k]``: its loss curve;
    - ``final_losses[k]``: its loss averaged over the last steps (inf when
      non-finite); ``stable[k]``: finite and below the initial loss (averaged, like the
      final loss, over ``average`` batches: those of the smallest rate's first steps).

    ``suggestions`` maps each rule's name to its learning rate (a float, or
    None when the curve gives no answer). ``peak`` is the suggestion meant as
    the peak of a one-cycle or warmup-cosine schedule and ``constant`` the one
    meant as a constant rate; `to_one_cycle`, `to_warmup_cosine` and
    `to_constant` build those schedules.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> loss = lambda w, batch: jnp.sum((w - batch) ** 2)
    >>> r = lrjax.find_lr(loss, jnp.zeros(2), jnp.ones((50, 2)), optax.sgd, min_lr=1e-3, max_lr=10.0)
    >>> sorted(r.suggestions), r.peak == r.suggestions["valley"], r.lrs.shape
    (['minimum', 'steep', 'valley'], True, (50,))
    >>> r.to_one_cycle(1000).name
    'one_cycle'
    """

    method: str
    lrs: np.ndarray
    losses: np.ndarray
    suggestions: dict[str, float | None]
    peak: float | None
    constant: float | None
    smoothed: np.ndarray | None = None
    smoothed_lrs: np.ndarray | None = None
    diverged_at: int | None = None
    final_losses: np.ndarray | None = None
    stable: np.ndarray | None = None

    def to_one_cycle(self, steps: int, **kwargs: Any) -> Schedule:
        """``lrjax.one_cycle(peak, steps=steps, **kwargs)`` with the suggested peak."""
        return one_cycle(_require(self.peak, "peak"), steps=steps, **kwargs)

    def to_warmup_cosine(self, warmup_steps: int, total_steps: int, **kwargs: Any) -> Schedule:
        """``lrjax.warmup_cosine(peak, warmup_steps=..., total_steps=..., **kwargs)`` with the suggested peak."""
        return warmup_cosine(_require(self.peak, "peak"), warmup_steps=warmup_steps, total_steps=total_steps, **kwargs)

    def to_constant(self) -> Schedule:
        """``lrjax.constant`` of the suggested constant rate."""
        return constant(_require(self.constant, "constant"))

    def plot(self, ax: Any = None) -> Any:
        """Draws the curve against the learning rate (log axis) and marks the suggestions; returns the axes.

        Range test: raw losses (faint), the smoothed curve at ``smoothed_lrs``,
        a vertical line per suggestion and a cross at the divergence start.
        Parallel scan: the final loss per rate, unstable rates hollow.
        Needs matplotlib (``pip install 'lrjax[plot]'``).
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError("LRFinderResult.plot needs matplotlib: pip install 'lrjax[plot]'") from e
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 4))
        if self.method == "range":
            ax.plot(self.lrs, self.losses, color="0.75", linewidth=0.8, label="loss")
            ax.plot(self.smoothed_lrs, self.smoothed, color="C0", linewidth=1.8, label="smoothed")
            if self.diverged_at is not None:
                i = self.diverged_at
                ax.plot([self.lrs[i]], [self.losses[i]], "x", color="C3", markersize=9, label=f"diverges from {self.lrs[i]:.3g}")
        else:
            finite = np.isfinite(self.final_losses)
            ax.plot(self.lrs[finite & self.stable], self.final_losses[finite & self.stable], "o-", color="C0", label="final loss")
            ax.plot(self.lrs[finite & ~self.stable], self.final_losses[finite & ~self.stable], "o", mfc="none", color="C3", label="unstable")
        for k, (name, lr) in enumerate(self.suggestions.items()):
            if lr is not None:
                ax.axvline(lr, color=f"C{k + 1}", linestyle="--", linewidth=1.2, label=f"{name}: {lr:.3g}")
        ax.set(xscale="log", xlabel="learning rate", ylabel="loss", title=f"lrjax.find_lr ({self.method})")
        ax.legend(fontsize=8)
        return ax


def _require(value: float | None, name: str) -> float:
    if value is None:
        raise ValueError(f"LRFinderResult: no {name} learning rate was suggested (the curve gave no answer)")
    return value


def find_lr(
    loss_fn: Callable[[Any, Any], jax.Array],
    params: Any,
    batches: Any,
    optimizer: Callable[..., optax.GradientTransformation] = optax.adam,
    *,
    min_lr: float = 1e-7,
    max_lr: float = 10.0,
    method: str = "range",
    steps: int | None = None,
    hyperparams: Mapping[str, Any] | None = None,
    smoothing: float = 0.9,
    diverge: float = 4.0,
    num_lrs: int = 16,
    average: int | None = None,
    tolerance: float = 0.1,
) -> LRFinderResult:
    r"""Measures how the loss responds to the learning rate, and suggests one.

    ``loss_fn(params, batch)`` returns a scalar. ``batches`` is a PyTree whose
    leaves share a leading step axis (step ``i`` uses ``batches[i]``; ``steps``,
    when given, uses the first ``steps``), or a function of the int32 step
    index returning a batch (then ``steps`` is required). ``optimizer`` is an
    optax factory taking ``learning_rate``; it runs through
    ``lrjax.inject(optimizer)(learning_rate=..., **hyperparams)``. ``params``
    is not changed.

    **Range test** (``method="range"``, after Smith 2017 and fastai): update
    ``i`` of ``N = steps`` uses

    .. math:: lr_i = min\_lr \cdot (max\_lr / min\_lr)^{i/(N-1)}

    (``lrjax.exponential(min_lr, rate=max_lr/min_lr, steps=N-1)``, both ends
    exact). ``losses[i]`` is the loss before update ``i``. The curve is the
    bias-corrected exponential average with ``beta = smoothing``:
    :math:`a_i = \beta a_{i-1} + (1-\beta) loss_i`, :math:`s_i = a_i / (1-\beta^{i+1})`.
    The same average of :math:`\log lr` gives ``smoothed_lrs``: the smoothed
    point stands for the learning rates it averages, so the curve does not lag
    the ramp.

    *Divergence.* A ratio to the best smoothed loss (fastai: 4x) fires far too
    late when the loss has first fallen by orders of magnitude: on
    :math:`\frac a2|x|^2` with SGD, which diverges exactly for :math:`lr > 2/a`, the
    long average still remembers the early, large losses. Here the run stops
    when the loss is not finite, or when a short bias-corrected average
    (:math:`\beta = 0.5`) of :math:`\log loss` exceeds its own minimum by
    :math:`\log(diverge)` (the geometric mean of the last few losses grew
    ``diverge``-fold; this ratio rule assumes positive losses and is off once
    a loss is <= 0). The divergence start ``diverged_at`` is the step of the
    lowest raw loss from 5 steps before that short average's minimum up to the
    stop (the short average's minimum lags the raw one by a few steps): the last loss before
    the growth, so ``lrs[diverged_at]`` is the first rate of the growth (on the
    quadratic, the first rung above :math:`2/a`). Later steps do no work
    (``lax.cond``) and record NaN.

    *Suggestions*, on the smoothed curve from step ``N // 10`` to the
    divergence start (``(smoothed_lrs, smoothed)`` points):

    - ``"steep"``: the point of steepest descent, :math:`\arg\min ds/d\log lr`
      (central differences);
    - ``"valley"``: the longest stretch over which the smoothed loss falls at
      every step, and the geometric midpoint of its first and last learning
      rates ("half-way down the valley", as fastai's ``valley``, which takes a
      longest decreasing subsequence instead);
    - ``"minimum"``: the learning rate of the lowest smoothed loss (the edge:
      Smith's "largest usable" rate; not meant to be used as is).

    ``peak`` is ``"valley"``, meant as the peak of a one-cycle or warmup-cosine
    schedule (Smith and fastai read the range test's answer as a peak), and
    ``constant`` is ``"steep"``, meant as a constant rate. On the README's
    brute-force comparison (two tasks, adam) each landed within 1.1x (valley as
    a one-cycle peak) and 1.8x (steep as a constant rate) of the best rate of a
    grid of full runs.

    The default ``smoothing=0.9`` (fastai: 0.98) keeps the average to about 10
    steps: with the lag removed by ``smoothed_lrs``, a longer average only
    blurs the curve across the ramp.

    **Parallel scan** (``method="parallel"``): ``num_lrs`` constant rates
    log-spaced from ``min_lr`` to ``max_lr`` each train ``steps`` steps from
    ``params`` on the same batches, side by side (one ``vmap``, one compile).
    ``final_losses[k]`` is the mean loss over the last ``average`` steps
    (default ``max(1, steps // 10)``; inf if any is not finite). The suggestion
    ``"parallel"`` (both ``peak`` and ``constant``) is the largest rate whose
    final loss is within ``tolerance`` of the best:
    ``final <= best + tolerance * |best|``.

    Raises ValueError naming the argument for ``min_lr >= max_lr``, fewer than
    10 steps, leaves of ``batches`` with different leading axes, a loss that is
    not a scalar; and when the loss at ``params`` is not finite.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> loss = lambda x, batch: 0.5 * 2.0 * jnp.sum(x**2)          # diverges with SGD for lr > 2/2 = 1
    >>> r = lrjax.find_lr(loss, jnp.ones(3), jnp.zeros(100), optax.sgd, min_lr=1e-3, max_lr=10.0)
    >>> print(r.lrs[r.diverged_at - 1] <= 1.0 < r.lrs[r.diverged_at])
    True
    >>> p = lrjax.find_lr(loss, jnp.ones(3), jnp.zeros(20), optax.sgd, min_lr=0.1, max_lr=10.0, method="parallel", num_lrs=20)
    >>> print(p.lrs[p.stable].max() <= 1.0 < p.lrs[~p.stable].min())
    True
    """
    where = "find_lr"
    if method not in METHODS:
        raise ValueError(f"{where}: method must be one of {METHODS}, got {method!r}")
    min_lr, max_lr = float(min_lr), float(max_lr)
    if not (np.isfinite(min_lr) and min_lr > 0):
        raise ValueError(f"{where}: min_lr must be a positive finite number, got {min_lr!r}")
    if not (np.isfinite(max_lr) and min_lr < max_lr):
        raise ValueError(f"{where}: min_lr must be < max_lr, got min_lr={min_lr!r}, max_lr={max_lr!r}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"{where}: smoothing must be in [0, 1), got {smoothing!r}")
    if not diverge > 1:
        raise ValueError(f"{where}: diverge must be > 1, got {diverge!r}")
    if not tolerance >= 0:
        raise ValueError(f"{where}: tolerance must be >= 0, got {tolerance!r}")
    if not callable(loss_fn):
        raise ValueError(f"{where}: loss_fn must be a function of (params, batch), got {loss_fn!r}")
    steps, batch_at = _batches(where, batches, steps)
    _check_loss(where, loss_fn, params, batch_at, batches)
    hyperparams = dict(hyperparams or {})
    if "learning_rate" in hyperparams:
        raise ValueError(f"{where}: hyperparams must not contain learning_rate (find_lr sets it)")

    if method == "range":
        return _range_test(loss_fn, params, batches, batch_at, optimizer, hyperparams, min_lr, max_lr, steps, smoothing, diverge)
    num_lrs = operator.index(num_lrs)
    if num_lrs < 2:
        raise ValueError(f"{where}: num_lrs must be >= 2, got {num_lrs}")
    average = max(1, steps // 10) if average is None else operator.index(average)
    if not 1 <= average <= steps:
        raise ValueError(f"{where}: average must be in [1, steps={steps}], got {average}")
    return _parallel(loss_fn, params, batches, batch_at, optimizer, hyperparams, min_lr, max_lr, steps, num_lrs, average, tolerance)


def _batches(where: str, batches: Any, steps: int | None) -> tuple[int, Callable[[Any, jax.Array], Any]]:
    """The number of steps, and ``batch_at(batches, i)`` giving step i's batch."""
    if steps is not None:
        steps = operator.index(steps)
    if callable(batches):
        if steps is None:
            raise ValueError(f"{where}: steps is required when batches is a function of the step")
        available = steps
        batch_at = lambda _, i: batches(i)  # noqa: E731  (the function is closed over, not passed to jit)
    else:
        leaves = jax.tree.leaves(batches)
        if not leaves:
            raise ValueError(f"{where}: batches must have at least one array leaf (or be a function of the step)")
        lengths = {np.shape(leaf)[0] if np.ndim(leaf) else None for leaf in leaves}
        if None in lengths:
            raise ValueError(f"{where}: every leaf of batches must have a leading step axis; one is a scalar")
        if len(lengths) != 1:
            raise ValueError(f"{where}: the leaves of batches must share their leading (step) axis, got lengths {sorted(lengths)}")
        available = lengths.pop()
        if steps is None:
            steps = available
        batch_at = lambda tree, i: jax.tree.map(lambda leaf: leaf[i], tree)  # noqa: E731
    if steps < MIN_STEPS:
        raise ValueError(f"{where}: steps must be >= {MIN_STEPS}, got {steps} (the length of batches unless steps is given)")
    if steps > available:
        raise ValueError(f"{where}: steps={steps} is more than the {available} batches given (their leading axis)")
    return steps, batch_at


def _check_loss(where: str, loss_fn: Callable, params: Any, batch_at: Callable, batches: Any) -> None:
    shape = jax.eval_shape(lambda p, b: loss_fn(p, batch_at(b, jnp.zeros([], jnp.int32))), params, _data(batches))
    if not (hasattr(shape, "shape") and shape.shape == () and jnp.issubdtype(shape.dtype, jnp.floating)):
        raise ValueError(f"{where}: loss_fn must return a floating scalar, got {shape}")


def _check_first(losses: np.ndarray) -> None:
    if not np.all(np.isfinite(losses[..., 0])):
        raise ValueError(f"find_lr: the loss at the initial params is not finite ({losses[..., 0].ravel()[0]}); check loss_fn and params")


def _range_test(loss_fn, params, batches, batch_at, optimizer, hyperparams, min_lr, max_lr, steps, smoothing, diverge):
    ramp = exponential(min_lr, rate=max_lr / min_lr, steps=steps - 1)
    program = _range_program(loss_fn, batch_at, optimizer, hyperparams, steps)
    args = (params, _data(batches), ramp, jnp.asarray(smoothing), jnp.asarray(diverge))
    lrs, losses, smoothed, log_lrs, stop, start = jax.device_get(program(*args))
    _check_first(losses)
    diverged_at = int(start) if stop >= 0 else None
    end = steps if diverged_at is None else diverged_at + 1
    suggestions = _range_suggestions(np.exp(log_lrs[:end]), smoothed[:end], skip=steps // 10)
    return LRFinderResult(
        method="range",
        lrs=lrs,
        losses=losses,
        smoothed=smoothed,
        smoothed_lrs=np.exp(log_lrs),
        diverged_at=diverged_at,
        suggestions=suggestions,
        peak=suggestions["valley"],
        constant=suggestions["steep"],
    )


def _data(batches: Any) -> Any:
    """What is passed to the jitted program: the arrays, or nothing for a function of the step."""
    return None if callable(batches) else batches


def _range_program(loss_fn, batch_at, optimizer, hyperparams, steps):
    @jax.jit
    def run(params, batches, ramp, beta, diverge):
        get = lambda i: batch_at(batches, i)  # noqa: E731
        tx = inject(optimizer)(learning_rate=ramp, **hyperparams)
        dtype = jax.eval_shape(loss_fn, params, get(jnp.zeros([], jnp.int32))).dtype
        beta, log_diverge = beta.astype(dtype), jnp.log(diverge.astype(dtype))
        short = jnp.asarray(_DETECT_BETA, dtype)
        zero, nan = jnp.zeros([], dtype), jnp.full([], jnp.nan, dtype)

        def train(params, state, i):
            loss, grads = jax.value_and_grad(loss_fn)(params, get(i))
            updates, state = tx.update(grads, state, params)
            return loss, optax.apply_updates(params, updates), state

        def skip(params, state, i):
            return nan, params, state

        def step(carry, i):
            params, state, avg, avg_lr, fast, fast_min, fast_argmin, positive, stop = carry
            lr = ramp(i).astype(dtype)
            loss, params, state = jax.lax.cond(stop >= 0, skip, train, params, state, i)
            n = (i + 1).astype(dtype)
            avg = beta * avg + (1 - beta) * loss
            avg_lr = beta * avg_lr + (1 - beta) * jnp.log(lr)
            debias = 1 - beta**n
            # The short average works on log(loss): the loss may have fallen by orders of magnitude.
            positive = positive & (loss > 0)
            fast = short * fast + (1 - short) * jnp.log(jnp.where(loss > 0, loss, 1))
            fast_now = fast / (1 - short**n)
            lower = fast_now < fast_min
            fast_min, fast_argmin = jnp.where(lower, fast_now, fast_min), jnp.where(lower, i, fast_argmin)
            grows = positive & (fast_now > fast_min + log_diverge)
            stop = jnp.where((stop < 0) & (grows | ~jnp.isfinite(loss)), i, stop)
            out = (lr, loss, avg / debias, avg_lr / debias)
            return (params, state, avg, avg_lr, fast, fast_min, fast_argmin, positive, stop), out

        no_step = jnp.full([], -1, jnp.int32)
        init = (params, tx.init(params), zero, zero, zero, jnp.full([], jnp.inf, dtype), jnp.zeros([], jnp.int32), jnp.array(True), no_step)
        carry, (lrs, losses, smoothed, log_lrs) = jax.lax.scan(step, init, jnp.arange(steps, dtype=jnp.int32))
        stop, fast_argmin = carry[-1], carry[-3]
        # The start: the lowest raw loss from a little before the short average's minimum up to the stop.
        i = jnp.arange(steps, dtype=jnp.int32)
        window = (i >= fast_argmin - _DETECT_BACK) & (i <= stop) & jnp.isfinite(losses)
        start = jnp.argmin(jnp.where(window, losses, jnp.inf)).astype(jnp.int32)
        start = jnp.where(jnp.any(window), start, jnp.maximum(stop - 1, 0))
        after = (stop >= 0) & (i > stop)
        smoothed = jnp.where(after, jnp.nan, smoothed)
        return lrs, losses, smoothed, jnp.where(after, jnp.nan, log_lrs), stop, start

    return run


def _range_suggestions(lrs: np.ndarray, smoothed: np.ndarray, skip: int) -> dict[str, float | None]:
    """The steep, valley and minimum rules on the smoothed points ``(lrs, smoothed)`` from ``skip`` on."""
    lrs, curve = lrs[skip:], smoothed[skip:]
    keep = np.isfinite(curve)
    lrs, curve = lrs[keep], curve[keep]
    if len(curve) < 3:
        return {"steep": None, "valley": None, "minimum": None}
    slope = np.gradient(curve, np.log(lrs))
    return {
        "steep": float(lrs[np.argmin(slope)]),
        "valley": _valley(lrs, curve),
        "minimum": float(lrs[np.argmin(curve)]),
    }


def _valley(lrs: np.ndarray, curve: np.ndarray) -> float:
    """Geometric midpoint of the first and last rates of the longest run over which ``curve`` falls at every step."""
    falls = np.diff(curve) < 0
    best_start, best_len, start = 0, 0, 0
    for i, f in enumerate(falls):
        if not f:
            start = i + 1
        elif i + 1 - start > best_len:
            best_start, best_len = start, i + 1 - start
    return float(np.sqrt(lrs[best_start] * lrs[best_start + best_len]))


def _parallel(loss_fn, params, batches, batch_at, optimizer, hyperparams, min_lr, max_lr, steps, num_lrs, average, tolerance):
    lrs = np.geomspace(min_lr, max_lr, num_lrs)
    program = _parallel_program(loss_fn, batch_at, optimizer, hyperparams, steps)
    losses = np.asarray(jax.device_get(program(params, _data(batches), jnp.asarray(lrs))))
    _check_first(losses)
    tail = losses[:, -average:]
    final = np.where(np.all(np.isfinite(tail), axis=1), tail.mean(axis=1), np.inf)
    # The loss before training, averaged over as many batches as the final loss (one batch's
    # loss says little with minibatches): the smallest rate's first steps barely move the params.
    initial = float(np.mean(losses[0, :average]))
    stable = np.isfinite(final) & (final < initial)
    best = final.min()
    suggestion = float(lrs[np.flatnonzero(final <= best + tolerance * abs(best)).max()]) if np.isfinite(best) else None
    return LRFinderResult(
        method="parallel",
        lrs=lrs.astype(losses.dtype),
        losses=losses,
        final_losses=final,
        stable=stable,
        suggestions={"parallel": suggestion},
        peak=suggestion,
        constant=suggestion,
    )


def _parallel_program(loss_fn, batch_at, optimizer, hyperparams, steps):
    @jax.jit
    def run(params, batches, lrs):
        def one(lr):
            tx = inject(optimizer)(learning_rate=constant(lr), **hyperparams)

            def step(carry, i):
                params, state = carry
                loss, grads = jax.value_and_grad(loss_fn)(params, batch_at(batches, i))
                updates, state = tx.update(grads, state, params)
                return (optax.apply_updates(params, updates), state), loss

            _, losses = jax.lax.scan(step, (params, tx.init(params)), jnp.arange(steps, dtype=jnp.int32))
            return losses

        return jax.vmap(one)(lrs)

    return run
