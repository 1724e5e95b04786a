"""Logging and swapping schedules in optax states: `hyperparams`, `set_schedules`,
`inject` with callables, and the resume recipes (keep, replace, extend, branch cooldowns)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrjax

X = jax.random.normal(jax.random.key(1), (32, 4))
Y = X @ jnp.arange(1.0, 5.0)


@pytest.fixture(autouse=True)
def standard_promotion():
    with jax.numpy_dtype_promotion("standard"):  # optax's optimizers are not strict-promotion clean
        yield


def warmup_cosine64(t, peak, warmup, total):
    """optax's warmup_cosine_decay_schedule in float64."""
    if t < warmup:
        return peak * t / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * min(t - warmup, total - warmup) / (total - warmup)))


def cooldown64(t, value, steps, total):
    """A constant `value` whose last `steps` before `total` go linearly to 0, in float64."""
    w = min(max(t - (total - steps), 0), steps) / steps
    return value * (1 - w)


def close(value, expected, scale):
    """A float32 value against a float64 derivation: within a few float32 roundings of the curve's ``scale`` (its peak)."""
    assert abs(np.float64(value) - expected) <= 4 * np.finfo(np.float32).eps * scale, (float(value), expected)


class Stepper:
    """A jitted least-squares step for `tx` that counts its traces."""

    def __init__(self, tx):
        self.tx, self.traces = tx, 0

        @jax.jit
        def step(params, state):
            self.traces += 1
            grads = jax.grad(lambda w: jnp.mean((X @ w - Y) ** 2))(params)
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        self.step = step

    def run(self, params, state, steps):
        for _ in range(steps):
            params, state = self.step(params, state)
        return params, state


def test_hyperparams_names_every_schedule_in_chains_groups_and_nested_injects():
    lr, wd, step_size = lrjax.linear(0.1, 0.0, steps=10), lrjax.linear(0.0, 1e-2, steps=10), lrjax.constant(0.5)
    nested = lrjax.inject(lambda weight_decay: optax.chain(optax.add_decayed_weights(weight_decay), lrjax.inject(optax.sgd)(learning_rate=lr)))
    tx = optax.chain(
        optax.multi_transform(
            {"backbone": nested(weight_decay=wd), "head": lrjax.inject(optax.adam)(learning_rate=0.01, b1=lrjax.linear(0.9, 0.5, steps=10))},
            {"w": "backbone", "b": "head"},
        ),
        lrjax.scale_by_schedule(step_size),
        lrjax.scale_by_plateau(lrjax.plateau(patience=0, factor=0.5), lrjax.constant(2.0)),
    )
    params = {"w": jnp.zeros(4), "b": jnp.zeros(())}
    state = tx.init(params)

    @jax.jit
    def step(params, state, loss):
        updates, state = tx.update(jax.tree.map(jnp.ones_like, params), state, params, value=loss)
        return optax.apply_updates(params, updates), state

    for loss in [1.0, 2.0, 3.0]:  # the plateau halves its scale at the second and third loss
        params, state = step(params, state, loss)
    logged = lrjax.hyperparams(state)
    assert list(logged) == [
        "backbone/weight_decay", "backbone/learning_rate", "head/b1", "head/learning_rate", "step_size", "learning_rate", "plateau_scale"
    ]  # outer states first; within a state in key order, as jit returns dicts
    t = 2  # the step the last update used
    close(logged["backbone/weight_decay"], 1e-2 * t / 10, 1e-2)
    close(logged["backbone/learning_rate"], 0.1 * (1 - t / 10), 0.1)
    close(logged["head/learning_rate"], 0.01, 0.01)
    close(logged["head/b1"], 0.9 + (0.5 - 0.9) * t / 10, 0.9)
    assert float(logged["step_size"]) == 0.5 and float(logged["learning_rate"]) == 0.5 and float(logged["plateau_scale"]) == 0.25
    jitted = jax.jit(lrjax.hyperparams)(state)
    assert all(np.array_equal(jitted[k], logged[k]) for k in logged)


def test_hyperparams_names_colliding_entries_by_their_whole_path():
    tx = optax.chain(lrjax.inject(optax.sgd)(learning_rate=0.1), lrjax.inject(optax.sgd)(learning_rate=0.2))
    logged = lrjax.hyperparams(tx.init(jnp.zeros(2)))
    assert {k: round(float(v), 6) for k, v in logged.items()} == {"0/learning_rate": 0.1, "1/learning_rate": 0.2}
    state = lrjax.set_schedules(tx.init(jnp.zeros(2)), {"1/learning_rate": 0.3})
    assert [float(s.schedules["learning_rate"]) for s in state] == [pytest.approx(0.1), pytest.approx(0.3)]


def test_hyperparams_of_a_stacked_state_has_the_batch_axis():
    peaks = jnp.array([0.1, 0.2, 0.3])
    states = jax.vmap(lambda p: lrjax.inject(optax.sgd)(learning_rate=lrjax.linear(p, 0.0, steps=10)).init(jnp.zeros(2)))(peaks)
    np.testing.assert_array_equal(lrjax.hyperparams(states)["learning_rate"], peaks)


def test_inject_evaluates_an_optax_schedule_every_step_and_logs_it_like_inject_hyperparams():
    schedule = optax.cosine_decay_schedule(0.1, 20)
    ours = lrjax.inject(optax.adamw)(learning_rate=schedule, weight_decay=1e-3)
    theirs = optax.inject_hyperparams(optax.adamw)(learning_rate=schedule, weight_decay=1e-3)
    closed_over = optax.adamw(learning_rate=schedule, weight_decay=1e-3)
    p0 = jnp.zeros(4)
    p1, s1 = Stepper(ours).run(p0, ours.init(p0), 7)
    s2 = Stepper(theirs).run(p0, theirs.init(p0), 7)[1]
    np.testing.assert_array_equal(p1, Stepper(closed_over).run(p0, closed_over.init(p0), 7)[0])
    assert s1.hyperparams["learning_rate"] == s2.hyperparams["learning_rate"]
    close(lrjax.hyperparams(s1)["learning_rate"], 0.1 * 0.5 * (1 + math.cos(math.pi * 6 / 20)), 0.1)
    assert "learning_rate" not in s1.schedules  # part of the optimizer, not of the state
    migrated = lrjax.hyperparams(s2)  # optax's own inject states are read too, for code migrating to lrjax
    assert migrated["learning_rate"] == s1.hyperparams["learning_rate"] and migrated["weight_decay"] == np.float32(1e-3)
    with pytest.raises(ValueError, match=r"learning_rate is not a schedule in the state .* the schedules are \['weight_decay'\]"):
        lrjax.set_schedules(s1, learning_rate=lrjax.constant(0.1))


@pytest.mark.parametrize("value", ["1e-3", [0.1, "x"], {"a": "b"}])
def test_inject_rejects_non_numeric_hyperparameters_when_built(value):
    with pytest.raises(ValueError, match=r"inject: learning_rate must be a number.*name it in static_args"):
        lrjax.inject(optax.adamw)(learning_rate=value)


def test_inject_passes_static_args_bools_and_none_unchanged():
    seen = {}

    def factory(learning_rate, kind, nesterov, mask):
        seen.update(kind=kind, nesterov=nesterov, mask=mask)
        return optax.sgd(learning_rate, nesterov=nesterov)

    tx = lrjax.inject(factory, static_args="kind")(learning_rate=0.1, kind="plain", nesterov=True, mask=None)
    state = tx.init(jnp.zeros(2))
    assert seen == {"kind": "plain", "nesterov": True, "mask": None} and list(state.schedules) == ["learning_rate"]


def test_set_schedules_of_the_same_structure_runs_the_compiled_step():
    tx = lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=50))
    stepper, p = Stepper(tx), jnp.zeros(4)
    p, state = stepper.run(p, tx.init(p), 8)
    swapped = lrjax.set_schedules(state, learning_rate=lrjax.warmup_cosine(0.2, warmup_steps=10, total_steps=40))
    assert type(swapped) is type(state) and swapped.count == state.count
    p, swapped = stepper.run(p, swapped, 12)
    assert stepper.traces == 1
    close(lrjax.hyperparams(swapped)["learning_rate"], warmup_cosine64(19, 0.2, 10, 40), 0.2)


def test_set_schedules_of_another_structure_compiles_once_more():
    tx = lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=50), weight_decay=1e-4)
    stepper, p = Stepper(tx), jnp.zeros(4)
    p, state = stepper.run(p, tx.init(p), 3)
    state = lrjax.set_schedules(state, learning_rate=lrjax.cosine(0.05, steps=20), weight_decay=lrjax.linear(1e-4, 0.0, steps=10))
    p, state = stepper.run(p, state, 5)
    assert stepper.traces == 2
    close(lrjax.hyperparams(state)["learning_rate"], 0.05 * 0.5 * (1 + math.cos(math.pi * 7 / 20)), 0.05)
    close(lrjax.hyperparams(state)["weight_decay"], 1e-4 * (1 - 7 / 10), 1e-4)


def test_set_schedules_names_the_schedules_that_exist():
    tx = optax.multi_transform(
        {"a": lrjax.inject(optax.sgd)(learning_rate=0.1, momentum=0.9), "b": lrjax.scale_by_schedule(lrjax.constant(1.0))},
        {"w": "a", "v": "b"},
    )
    state = tx.init({"w": jnp.zeros(1), "v": jnp.zeros(1)})
    with pytest.raises(ValueError, match=r"no schedule named 'lr' in the state; the schedules are \['a/learning_rate', 'a/momentum', 'b/step_size', 'learning_rate', 'momentum', 'step_size'\]"):
        lrjax.set_schedules(state, lr=0.1)
    with pytest.raises(ValueError, match=r"set_schedules: step_size must be an lrjax schedule or a number, got 'fast'"):
        lrjax.set_schedules(state, step_size="fast")
    swapped = lrjax.set_schedules(state, {"a/momentum": 0.5}, step_size=2.0)
    assert type(swapped) is type(state)
    assert {k: round(float(v), 6) for k, v in lrjax.hyperparams(swapped).items()} == {"a/learning_rate": 0.1, "a/momentum": 0.9, "b/step_size": 2.0}
    assert float(swapped.inner_states["a"].inner_state.schedules["momentum"]) == 0.5


def test_set_schedules_replaces_the_schedule_under_a_plateau():
    tx = lrjax.scale_by_plateau(lrjax.plateau(patience=0, factor=0.5))
    state = tx.init(jnp.zeros(1))
    _, state = tx.update(jnp.ones(1), state, value=1.0)
    _, state = tx.update(jnp.ones(1), state, value=2.0)  # scale 0.5
    state = lrjax.set_schedules(state, learning_rate=lrjax.linear(1.0, 0.0, steps=4))
    updates, state = tx.update(jnp.ones(1), state, value=2.0)  # count 2, scale 0.25
    assert float(updates[0]) == 0.5 * 0.25 and lrjax.hyperparams(state)["plateau_scale"] == 0.25


# Resume recipes. The state of a run holds its schedule, so a restored state keeps
# the checkpoint's schedule; set_schedules puts the code's in its place.


def test_resume_keeps_the_checkpoints_schedule_or_takes_the_codes():
    old = lrjax.warmup_cosine(1e-2, warmup_steps=20, total_steps=200)
    new = lrjax.warmup_cosine(1e-2, warmup_steps=20, total_steps=400)  # the code was edited after the checkpoint
    tx = lrjax.inject(optax.adam)(learning_rate=old)
    stepper, p = Stepper(tx), jnp.zeros(4)
    p, checkpoint = stepper.run(p, tx.init(p), 250)
    restored = jax.tree.map(np.asarray, checkpoint)  # what any checkpoint format gives back
    kept = stepper.run(p, restored, 1)[1]
    replaced = stepper.run(p, lrjax.set_schedules(restored, learning_rate=new), 1)[1]
    assert float(lrjax.hyperparams(kept)["learning_rate"]) == 0.0  # step 250 is past the old schedule's end
    close(lrjax.hyperparams(replaced)["learning_rate"], warmup_cosine64(250, 1e-2, 20, 400), 1e-2)
    assert float(lrjax.hyperparams(replaced)["learning_rate"]) > 3e-3
    assert stepper.traces == 1


def test_extending_a_run_continues_the_longer_schedule_from_the_checkpoints_count():
    tx = lrjax.inject(optax.sgd)(learning_rate=lrjax.cooldown(lrjax.constant(0.1), steps=10, total_steps=30))
    stepper, p = Stepper(tx), jnp.zeros(4)
    p, state = stepper.run(p, tx.init(p), 15)
    longer = lrjax.cooldown(lrjax.constant(0.1), steps=10, total_steps=60)  # same structure: no recompilation
    state = lrjax.set_schedules(state, learning_rate=longer)
    lrs = []
    for _ in range(45):
        p, state = stepper.step(p, state)
        lrs.append(lrjax.hyperparams(state)["learning_rate"])
    for t, lr in zip(range(15, 60), lrs):
        close(lr, cooldown64(t, 0.1, 10, 60), 0.1)
    assert stepper.traces == 1


def test_cooldowns_branch_from_one_constant_lr_checkpoint_with_one_compilation():
    stable = lrjax.cooldown(lrjax.constant(0.05), steps=1, total_steps=2**30)  # WSD's stable phase, in the branches' structure
    tx = lrjax.inject(optax.adam)(learning_rate=stable)
    stepper, p = Stepper(tx), jnp.zeros(4)
    p, checkpoint = stepper.run(p, tx.init(p), 40)
    finals = {}
    for length in (10, 20, 30):
        branch = lrjax.set_schedules(checkpoint, learning_rate=lrjax.cooldown(lrjax.constant(0.05), steps=length, total_steps=40 + length))
        q, state, lrs = p, branch, []
        for _ in range(length + 1):
            q, state = stepper.step(q, state)
            lrs.append(lrjax.hyperparams(state)["learning_rate"])
        for t, lr in zip(range(40, 41 + length), lrs):
            close(lr, cooldown64(t, 0.05, length, 40 + length), 0.05)
        finals[length] = float(jnp.mean((X @ q - Y) ** 2))
    assert stepper.traces == 1
    assert len(set(finals.values())) == 3  # three different runs from one checkpoint
    assert float(checkpoint.count) == 40  # the checkpoint itself is untouched
