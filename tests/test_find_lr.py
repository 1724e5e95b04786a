"""`lrjax.find_lr`: the analytic quadratic case, the mechanics against hand computations, and bad input."""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrjax
from lrjax._find_lr import _range_suggestions, _valley


def _quadratic(a):
    """0.5 * a * |x|^2: SGD contracts by |1 - a*lr| per step, so it diverges exactly for lr > 2/a."""
    return lambda x, batch: 0.5 * a * jnp.sum(x**2)


@pytest.mark.parametrize("a", [0.5, 2.0, 10.0, 40.0])
def test_range_test_marks_divergence_at_two_over_a(a):
    r = lrjax.find_lr(_quadratic(a), jnp.ones(4), jnp.zeros(100), optax.sgd, min_lr=1e-3, max_lr=10.0)
    # The first rate of the growth is the first rung above 2/a (rungs are 10**(4/99) = 1.097x apart).
    assert r.diverged_at is not None
    assert r.lrs[r.diverged_at - 1] <= 2 / a < r.lrs[r.diverged_at]
    # The loss fell by many orders of magnitude first: a ratio to the best smoothed loss could not see this.
    assert r.losses[r.diverged_at] < 1e-15 * r.losses[0]


@pytest.mark.parametrize("a", [0.5, 3.0, 10.0, 40.0])
def test_parallel_scan_stable_rates_end_just_below_two_over_a(a):
    r = lrjax.find_lr(_quadratic(a), jnp.ones(4), jnp.zeros(30), optax.sgd, min_lr=0.01 / a, max_lr=7.9 / a, method="parallel", num_lrs=24)
    below = r.lrs < 2 / a
    np.testing.assert_array_equal(r.stable, below)
    # The largest stable rate is within one grid step (1.34x) under 2/a.
    assert 2 / a / 1.34 < r.lrs[r.stable].max() < 2 / a


def _regression():
    x = jax.random.normal(jax.random.key(0), (40, 8, 3))
    y = x @ jnp.array([1.0, -2.0, 0.5]) + 0.1
    loss = lambda w, batch: jnp.mean((batch[0] @ w[:3] + w[3] - batch[1]) ** 2)  # noqa: E731
    return loss, jnp.zeros(4), (x, y)


def test_range_ramp_losses_and_smoothing_against_a_hand_run():
    loss, w0, (x, y) = _regression()
    r = lrjax.find_lr(loss, w0, (x, y), optax.sgd, min_lr=1e-4, max_lr=1.0, smoothing=0.9, diverge=1e6)
    n = 40
    expected_lrs = 1e-4 * (1.0 / 1e-4) ** (np.arange(n) / (n - 1))
    np.testing.assert_allclose(r.lrs, expected_lrs, rtol=2e-6)
    # Plain SGD by hand in float64: losses[i] is the loss before update i, which uses lrs[i].
    w, losses = np.zeros(4), []
    xs, ys = np.asarray(x, np.float64), np.asarray(y, np.float64)
    for i in range(n):
        err = xs[i] @ w[:3] + w[3] - ys[i]
        losses.append(np.mean(err**2))
        grad = np.concatenate([2 * xs[i].T @ err / len(err), [2 * err.mean()]])
        w = w - expected_lrs[i] * grad
    assert r.diverged_at is None
    np.testing.assert_allclose(r.losses, losses, rtol=1e-4)
    beta, avg, avg_log = 0.9, 0.0, 0.0
    for i in range(n):
        avg, avg_log = beta * avg + (1 - beta) * losses[i], beta * avg_log + (1 - beta) * np.log(expected_lrs[i])
        np.testing.assert_allclose(r.smoothed[i], avg / (1 - beta ** (i + 1)), rtol=1e-4)
        np.testing.assert_allclose(r.smoothed_lrs[i], np.exp(avg_log / (1 - beta ** (i + 1))), rtol=1e-4)
    assert r.smoothed[0] == r.losses[0]  # bias correction: the first point is the raw loss


def test_parallel_scan_equals_separate_runs_with_hyperparams():
    loss, w0, batches = _regression()
    r = lrjax.find_lr(loss, w0, batches, optax.sgd, min_lr=1e-3, max_lr=0.3, method="parallel", num_lrs=4,
                      hyperparams={"momentum": 0.9}, average=5)
    np.testing.assert_allclose(r.lrs, np.geomspace(1e-3, 0.3, 4), rtol=1e-6)
    for lr, curve in zip(r.lrs, r.losses):
        tx = optax.sgd(float(lr), momentum=0.9)

        def step(carry, batch):
            w, state = carry
            value, grads = jax.value_and_grad(loss)(w, batch)
            updates, state = tx.update(grads, state, w)
            return (optax.apply_updates(w, updates), state), value

        with jax.numpy_dtype_promotion("standard"):
            _, expected = jax.lax.scan(step, (w0, tx.init(w0)), batches)
        np.testing.assert_allclose(curve, expected, rtol=1e-5, atol=1e-7)
    # The final loss is the mean of the last 5; the suggestion the largest rate within 10% of the best.
    final = r.losses[:, -5:].mean(axis=1)
    np.testing.assert_allclose(r.final_losses, final, rtol=1e-6)
    assert r.suggestions["parallel"] == r.peak == r.constant == r.lrs[final <= 1.1 * final.min()].max()


def test_parallel_scan_with_adam_is_the_default_optimizer():
    loss, w0, batches = _regression()
    with jax.numpy_dtype_promotion("standard"):  # optax's own adam is not strict-clean
        r = lrjax.find_lr(loss, w0, batches, min_lr=1e-3, max_lr=1.0, method="parallel", num_lrs=3)
    tx = optax.adam(float(r.lrs[1]))

    def step(carry, batch):
        w, state = carry
        value, grads = jax.value_and_grad(loss)(w, batch)
        updates, state = tx.update(grads, state, w)
        return (optax.apply_updates(w, updates), state), value

    with jax.numpy_dtype_promotion("standard"):
        _, expected = jax.lax.scan(step, (w0, tx.init(w0)), batches)
    np.testing.assert_allclose(r.losses[1], expected, rtol=1e-5, atol=1e-7)


def test_batches_as_a_function_of_the_step_give_the_same_run():
    loss, w0, (x, y) = _regression()
    arrays = lrjax.find_lr(loss, w0, (x, y), optax.sgd, min_lr=1e-4, max_lr=1.0, steps=20)  # the first 20 of 40
    fn = lrjax.find_lr(loss, w0, lambda i: (x[i], y[i]), optax.sgd, min_lr=1e-4, max_lr=1.0, steps=20)
    np.testing.assert_allclose(arrays.lrs, 1e-4 * 1e4 ** (np.arange(20) / 19), rtol=2e-6)
    np.testing.assert_allclose(fn.losses, arrays.losses, rtol=1e-6)
    np.testing.assert_allclose(arrays.losses[0], loss(w0, (x[0], y[0])), rtol=1e-6)


def test_nan_partway_ends_the_curve_as_diverged():
    loss = lambda w, b: jnp.sum(w**2) + b  # noqa: E731
    batches = jnp.zeros(60).at[30].set(jnp.nan)
    r = lrjax.find_lr(loss, jnp.ones(3), batches, optax.sgd, min_lr=1e-3, max_lr=0.1)
    assert r.diverged_at == 29  # the last finite loss; the loss was still falling there
    assert np.all(np.isfinite(r.losses[:30])) and np.all(np.isnan(r.losses[30:]))
    assert np.all(np.isfinite(r.smoothed[:30])) and np.all(np.isnan(r.smoothed[30:]))
    assert all(v is not None and np.isfinite(v) for v in r.suggestions.values())


def test_valley_is_the_midpoint_of_the_longest_falling_stretch_by_enumeration():
    rng = np.random.default_rng(0)
    lrs = np.geomspace(1e-3, 1.0, 12)
    for _ in range(50):
        curve = rng.normal(size=12).cumsum() * -0.3 + rng.normal(size=12)
        # Every stretch [i, j] over which the curve falls at each step; the longest, the first among equals.
        stretches = [(i, j) for i in range(12) for j in range(i + 1, 12) if np.all(np.diff(curve[i : j + 1]) < 0)]
        i, j = max(stretches, key=lambda ij: (ij[1] - ij[0], -ij[0]))
        assert _valley(lrs, curve) == pytest.approx(np.sqrt(lrs[i] * lrs[j]))


def test_steep_minimum_and_valley_on_a_known_curve():
    # A smooth drop centred at lr = 1e-2 (steepest there in log lr), lowest at the end, then rising.
    lrs = np.geomspace(1e-5, 1.0, 101)
    u = np.log10(lrs)
    curve = 1 - np.tanh(2 * (u + 2)) + 0.05 * (u + 0.5) ** 2
    s = _range_suggestions(lrs, curve, skip=0)
    assert s["steep"] == pytest.approx(10 ** -1.95, rel=0.13)  # the quadratic tail shifts the steepest point by d/du = 0
    low = lrs[np.argmin(curve)]
    assert s["minimum"] == low
    assert s["valley"] == pytest.approx(np.sqrt(lrs[0] * low))


@pytest.fixture(scope="module")
def adam_range_test():
    loss, w0, batches = _regression()
    with jax.numpy_dtype_promotion("standard"):  # optax's own adam is not strict-clean
        return lrjax.find_lr(loss, w0, batches, min_lr=1e-4, max_lr=10.0)


def test_helpers_build_schedules_at_the_suggestions(adam_range_test):
    r = adam_range_test
    np.testing.assert_allclose(lrjax.values(r.to_one_cycle(100), 99), lrjax.values(lrjax.one_cycle(r.peak, steps=100), 99), rtol=1e-6)
    expected = lrjax.values(lrjax.warmup_cosine(r.peak, warmup_steps=10, total_steps=100), 99)
    np.testing.assert_allclose(lrjax.values(r.to_warmup_cosine(10, 100), 99), expected, rtol=1e-6)
    assert float(r.to_constant()(7)) == pytest.approx(r.constant)
    assert r.peak == r.suggestions["valley"] and r.constant == r.suggestions["steep"]


def test_plot_marks_suggestions_and_lrjax_does_not_import_matplotlib(adam_range_test):
    ax = adam_range_test.plot()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["loss", "smoothed"] and any(label.startswith("valley:") for label in labels)
    code = "import sys, lrjax; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"min_lr": 1.0, "max_lr": 1.0}, "min_lr must be < max_lr"),
        ({"min_lr": 0.0}, "min_lr must be a positive"),
        ({"steps": 5}, "steps must be >= 10"),
        ({"steps": 41}, "steps=41 is more than the 40 batches"),
        ({"method": "grid"}, "method must be one of"),
        ({"method": "parallel", "num_lrs": 1}, "num_lrs must be >= 2"),
        ({"hyperparams": {"learning_rate": 0.1}}, "hyperparams must not contain learning_rate"),
    ],
)
def test_bad_arguments_raise_naming_them(kwargs, match):
    loss, w0, batches = _regression()
    with pytest.raises(ValueError, match=match):
        lrjax.find_lr(loss, w0, batches, **kwargs)


def test_bad_batches_and_losses_raise():
    loss, w0, (x, y) = _regression()
    with pytest.raises(ValueError, match="batches must share their leading"):
        lrjax.find_lr(loss, w0, (x, y[:30]))
    with pytest.raises(ValueError, match="steps is required"):
        lrjax.find_lr(loss, w0, lambda i: (x[i], y[i]))
    with pytest.raises(ValueError, match="loss_fn must return a floating scalar"):
        lrjax.find_lr(lambda w, b: (b[0] @ w[:3]) ** 2, w0, (x, y))
    with pytest.raises(ValueError, match="loss at the initial params is not finite"):
        lrjax.find_lr(lambda w, b: jnp.sum(w) / 0.0 * 0.0, w0, (x, y), optax.sgd)
    with pytest.raises(ValueError, match="loss at the initial params is not finite"):
        lrjax.find_lr(lambda w, b: jnp.sum(w) / 0.0 * 0.0, w0, (x, y), optax.sgd, method="parallel")


def test_equinox_recipe():
    eqx = pytest.importorskip("equinox")
    model = eqx.nn.Linear(3, 1, key=jax.random.key(0))
    params, static = eqx.partition(model, eqx.is_array)
    loss, _, (x, y) = _regression()

    def loss_fn(params, batch):
        m = eqx.combine(params, static)
        return jnp.mean((jax.vmap(m)(batch[0])[:, 0] - batch[1]) ** 2)

    with jax.numpy_dtype_promotion("standard"):
        r = lrjax.find_lr(loss_fn, params, (x, y), min_lr=1e-4, max_lr=10.0)
    assert r.losses[0] > r.smoothed[r.diverged_at or -1] and r.peak is not None


def test_flax_nnx_recipe():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(3, 1, rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(model)
    _, _, (x, y) = _regression()

    def loss_fn(params, batch):
        m = nnx.merge(graphdef, params)
        return jnp.mean((m(batch[0])[:, 0] - batch[1]) ** 2)

    with jax.numpy_dtype_promotion("standard"):
        r = lrjax.find_lr(loss_fn, params, (x, y), min_lr=1e-4, max_lr=10.0)
    assert r.losses[0] > r.smoothed[r.diverged_at or -1] and r.peak is not None


def test_fastai_ratio_rule_fires_far_too_late_on_the_quadratic():
    """Why the short log-average: fastai's "smoothed > 4x best" (beta 0.98) on the same losses fires far past 2/a."""
    a = 2.0
    r = lrjax.find_lr(_quadratic(a), jnp.ones(4), jnp.zeros(100), optax.sgd, min_lr=1e-3, max_lr=10.0, diverge=1e30)
    losses = r.losses[np.isfinite(r.losses)].astype(np.float64)
    avg, best, fired = 0.0, np.inf, None
    for i, loss in enumerate(losses):
        avg = 0.98 * avg + 0.02 * loss
        smooth = avg / (1 - 0.98 ** (i + 1))
        best = min(best, smooth)
        if smooth > 4 * best:
            fired = i
            break
    ours = lrjax.find_lr(_quadratic(a), jnp.ones(4), jnp.zeros(100), optax.sgd, min_lr=1e-3, max_lr=10.0)
    assert r.lrs[ours.diverged_at] < 1.1 * 2 / a
    assert fired is None or r.lrs[fired] > 2 * (2 / a)


def test_negative_losses_turn_the_ratio_rule_off():
    """A ratio to the minimum means nothing for losses <= 0 (fastai #962): the run then stops only on non-finite losses."""
    shifted = lambda x, b: _quadratic(2.0)(x, b) - 10.0  # noqa: E731
    r = lrjax.find_lr(shifted, jnp.ones(4), jnp.zeros(100), optax.sgd, min_lr=1e-3, max_lr=10.0)
    assert r.diverged_at is None and np.all(np.isfinite(r.losses))
    assert r.losses[-1] > 0 > r.losses[50]  # it did blow up past zero, without a false stop on the way down
    nan_late = lambda x, b: shifted(x, b) + b  # noqa: E731
    r = lrjax.find_lr(nan_late, jnp.ones(4), jnp.zeros(100).at[95].set(jnp.nan), optax.sgd, min_lr=1e-3, max_lr=10.0)
    assert r.diverged_at is not None and np.all(np.isnan(r.losses[95:]))
    assert r.losses[r.diverged_at] == np.nanmin(r.losses)  # the lowest loss (from float32's -10 on, the first of the ties)
