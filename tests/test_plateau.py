"""The plateau controller against a plain-Python re-derivation of torch's
ReduceLROnPlateau.step (with the |best| fix for negative metrics), on random,
negative and constant metric sequences; under jit and vmap; in an optimizer."""

import math
import zlib

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lrjax


def torch_reference(metrics, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                    cooldown=0, min_scale=0.0, eps=1e-8):
    """torch 2.15 ReduceLROnPlateau.step in Python floats; the scale of the lr after each call.

    torch's rel test is a < best * (1 - threshold) (min); for a negative best that
    threshold lies on the wrong side, so the fixed rule uses best * (1 + threshold).
    """
    best = math.inf if mode == "min" else -math.inf
    bad, cooldown_counter, scale, out = 0, 0, 1.0, []
    for a in metrics:
        if threshold_mode == "rel":
            shift = threshold if best >= 0 else -threshold
            better = a < best * (1 - shift) if mode == "min" else a > best * (1 + shift)
        else:
            better = a < best - threshold if mode == "min" else a > best + threshold
        if better:
            best, bad = a, 0
        else:
            bad += 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            bad = 0
        if bad > patience:
            new = max(scale * factor, min_scale)
            if scale - new > eps:
                scale = new
            cooldown_counter, bad = cooldown, 0
        out.append(scale)
    return np.array(out)


def run(controller, metrics):
    return _run(controller, jnp.asarray(metrics, jnp.float32))


@jax.jit
def _run(controller, metrics):
    """The scale after each metric; one compilation per controller structure and number of metrics
    (an eager scan traces and compiles its body again at every call)."""

    def body(state, m):
        state = controller.update(state, m)
        return state, state.scale

    return jax.lax.scan(body, controller.init(), metrics)[1]


def test_constant_metric_cuts_every_patience_plus_one_plus_cooldown_calls():
    """torch documents (and peers.md checked): patience=2, cooldown=1 cuts at calls 4, 8, 12."""
    for value in (3.0, -3.0, 0.0):  # negative and zero too: where torch and optax never cut
        scales = np.asarray(run(lrjax.plateau(patience=2, cooldown=1, factor=0.5), [value] * 12))
        cuts = [i + 1 for i in range(12) if scales[i] < (scales[i - 1] if i else 1.0)]
        assert cuts == [4, 8, 12], (value, scales)


SETTINGS = [
    dict(mode="min", threshold_mode="rel", patience=2, cooldown=0),
    dict(mode="min", threshold_mode="abs", patience=1, cooldown=2, threshold=0.05),
    dict(mode="max", threshold_mode="rel", patience=3, cooldown=1, factor=0.5, min_scale=0.01),
    dict(mode="max", threshold_mode="abs", patience=0, cooldown=0, threshold=0.1, factor=0.3),
    dict(mode="min", threshold_mode="rel", patience=1, cooldown=0, factor=0.9, eps=0.05),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) for s in SETTINGS])
@pytest.mark.parametrize("offset", [0.0, -5.0, 5.0], ids=["around0", "negative", "positive"])
def test_trajectory_matches_torch_on_random_sequences(settings, offset):
    rng = np.random.default_rng(zlib.crc32(f"{settings}|{offset}".encode()))  # the same in every process (hash() is salted)
    controller = lrjax.plateau(**settings)
    for _ in range(5):
        # Multiples of 1/8: exact in float32 and float64 alike, with plenty of ties and plateaus.
        metrics = offset + np.round(rng.normal(0, 1, 60).cumsum() * 0.3 * 8) / 8
        np.testing.assert_allclose(run(controller, metrics), torch_reference(metrics, **settings), rtol=1e-6)


def test_jit_vmap_over_controllers_and_metrics_without_retrace():
    controllers = lrjax.stack([lrjax.plateau(patience=p, factor=f) for p, f in [(0, 0.5), (2, 0.1), (5, 0.3)]])
    metrics = jnp.asarray(np.random.default_rng(0).normal(size=(3, 40)).cumsum(axis=1), jnp.float32)

    @jax.jit
    @chex.assert_max_traces(n=1)
    def all_runs(controllers, metrics):
        return jax.vmap(run)(controllers, metrics)

    chex.clear_trace_counter()
    out = all_runs(controllers, metrics)
    for i, (p, f) in enumerate([(0, 0.5), (2, 0.1), (5, 0.3)]):
        np.testing.assert_allclose(out[i], torch_reference(np.asarray(metrics[i], np.float64), patience=p, factor=f), rtol=1e-6)
    other = lrjax.stack([lrjax.plateau(patience=p, factor=0.2) for p in (1, 1, 1)])
    all_runs(other, metrics)  # new numbers: same compiled program


def test_scale_by_plateau_multiplies_the_schedule_by_the_scale():
    schedule = lrjax.warmup(lrjax.constant(0.1), steps=4)
    tx = lrjax.scale_by_plateau(lrjax.plateau(patience=1, factor=0.5), schedule)
    state = tx.init(jnp.zeros(1))
    update = jax.jit(tx.update)
    lrs = []
    for loss in [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]:
        updates, state = update(jnp.ones(1), state, value=loss)
        lrs.append(float(updates[0]))
    scales = torch_reference([5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0], patience=1, factor=0.5)
    np.testing.assert_allclose(lrs, np.asarray(schedule(jnp.arange(7))) * scales, rtol=1e-6)
    assert float(state.learning_rate) == pytest.approx(lrs[-1])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: lrjax.plateau(factor=1.0), r"plateau: factor must be a finite number >= 0 and < 1, got 1"),
        (lambda: lrjax.plateau(mode="lowest"), r"plateau: mode must be one of 'min', 'max', got 'lowest'"),
        (lambda: lrjax.plateau(patience=-1), r"plateau: patience must be a finite number >= 0, got -1"),
        (lambda: lrjax.scale_by_plateau(lrjax.constant(1.0)), r"scale_by_plateau: controller must be an lrjax.plateau"),
    ],
)
def test_bad_input(make, message):
    with pytest.raises(ValueError, match=message):
        make()
