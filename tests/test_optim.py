"""Schedules in optimizer state: inject, scale_by_schedule, stack/grid sweeps,
per-group schedules, checkpoint round trips and sharding."""

import os
import subprocess
import sys
import textwrap

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrjax

X = jax.random.normal(jax.random.key(0), (64, 5))
Y = X @ jnp.arange(1.0, 6.0)


def loss(params):
    return jnp.mean((X @ params - Y) ** 2)


def make_step(tx):
    @jax.jit
    def step(params, state):
        value, grads = jax.value_and_grad(loss)(params)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    return step


@pytest.fixture(autouse=True)
def standard_promotion():
    with jax.numpy_dtype_promotion("standard"):  # optax's optimizers are not strict-promotion clean
        yield


def train(tx, steps=20, params=None, state=None):
    params = jnp.zeros(5) if params is None else params
    state = tx.init(params) if state is None else state
    step = make_step(tx)
    for _ in range(steps):
        params, state, _ = step(params, state)
    return params, state


def test_inject_exposes_the_values_it_used():
    schedule = lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=50)
    tx = lrjax.inject(optax.adamw)(learning_rate=schedule, weight_decay=1e-3)
    state = tx.init(jnp.zeros(5))
    assert float(state.hyperparams["learning_rate"]) == 0.0
    params, state = train(tx, steps=7, state=state)
    assert int(state.count) == 7
    assert float(state.hyperparams["learning_rate"]) == pytest.approx(float(schedule(6)))
    assert float(state.hyperparams["weight_decay"]) == pytest.approx(1e-3)
    assert state.schedules["learning_rate"] is not None and isinstance(state.schedules["learning_rate"], lrjax.Schedule)


def test_inject_matches_optax_with_the_same_schedule():
    schedule = lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=50)
    ours, _ = train(lrjax.inject(optax.adamw)(learning_rate=schedule, weight_decay=1e-3))
    theirs, _ = train(optax.adamw(schedule, weight_decay=1e-3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_replacing_the_schedule_in_the_state_does_not_retrace():
    tx = lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=50))
    chex.clear_trace_counter()

    @jax.jit
    @chex.assert_max_traces(n=1)
    def step(params, state):
        updates, state = tx.update(jax.grad(loss)(params), state, params)
        return optax.apply_updates(params, updates), state

    params, state = jnp.zeros(5), tx.init(jnp.zeros(5))
    params, state = step(params, state)
    other = lrjax.warmup_cosine(0.3, warmup_steps=20, total_steps=400)  # other peak, other warmup length
    state = state._replace(schedules={"learning_rate": other})
    params, state = step(params, state)
    assert float(state.hyperparams["learning_rate"]) == pytest.approx(float(other(1)))


def test_stacked_states_train_side_by_side_like_separate_runs():
    batch, configs = lrjax.grid(lambda peak, warmup: lrjax.warmup_cosine(peak, warmup_steps=warmup, total_steps=60), peak=[0.03, 0.1], warmup=[0, 10])
    tx = lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(1.0, warmup_steps=1, total_steps=2))  # a prototype: values come from the states
    states = jax.vmap(lambda s: lrjax.inject(optax.adamw)(learning_rate=s).init(jnp.zeros(5)))(batch)
    params = jnp.zeros((len(configs), 5))
    step = jax.jit(jax.vmap(make_step(tx)))
    for _ in range(20):
        params, states, _ = step(params, states)
    for i, config in enumerate(configs):
        alone, _ = train(lrjax.inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(config["peak"], warmup_steps=config["warmup"], total_steps=60)))
        np.testing.assert_allclose(params[i], alone, rtol=2e-6, atol=1e-7)


def test_momentum_and_learning_rate_follow_one_cycle():
    steps = 12
    lr, momentum = lrjax.one_cycle(0.5, steps=steps), lrjax.one_cycle_momentum(steps=steps)
    params, state = train(lrjax.inject(optax.sgd)(learning_rate=lr, momentum=momentum), steps=steps)
    # By hand: trace = g + m * trace; params -= lr * trace.
    p, trace = np.zeros(5), np.zeros(5)
    x, y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    for k in range(steps):
        g = 2 * x.T @ (x @ p - y) / len(y)
        trace = g + float(momentum(k)) * trace
        p = p - float(lr(k)) * trace
    np.testing.assert_allclose(params, p, rtol=2e-4)
    assert float(state.hyperparams["momentum"]) == pytest.approx(float(momentum(steps - 1)))


def test_adam_b1_can_be_scheduled():
    b1 = lrjax.one_cycle_momentum(steps=30, low=0.8, high=0.95)
    params, state = train(lrjax.inject(optax.adam)(learning_rate=0.05, b1=b1), steps=30)
    assert float(state.hyperparams["b1"]) == pytest.approx(float(b1(29)))
    assert float(loss(params)) < float(loss(jnp.zeros(5)))


def test_scale_by_schedule_keeps_the_schedule_in_state():
    tx = lrjax.scale_by_schedule(lrjax.linear(1.0, 0.0, steps=4))
    state = tx.init(jnp.zeros(2))
    update = jax.jit(tx.update)
    seen = []
    for _ in range(3):
        u, state = update(jnp.ones(2), state)
        seen.append(float(u[0]))
    assert seen == [1.0, 0.75, 0.5]
    u, _ = update(jnp.ones(2), state._replace(schedule=lrjax.linear(2.0, 0.0, steps=4)))
    assert float(u[0]) == 0.5  # 2.0 at count 3 of 4


@pytest.mark.parametrize(
    "schedules, where",
    [
        ([lrjax.cosine(1.0, steps=10), lrjax.linear(1.0, 0.0, steps=10)], r"at the top: cosine\(...\) vs linear\(...\)"),
        ([lrjax.wsd(1.0, warmup_steps=1, stable_steps=2, decay_steps=3), lrjax.wsd(1.0, warmup_steps=1, stable_steps=2, decay_steps=3, shape="cosine")], r"at .shape: 'linear' vs 'cosine'"),
        ([lrjax.clip(lrjax.exponential(1.0, rate=0.5, steps=10)), lrjax.clip(lrjax.exponential(1.0, rate=0.5, steps=10), min=0.1)], r"at .min: None vs"),
        ([lrjax.piecewise_constant([3, 2, 1.0], boundaries=[1, 2]), lrjax.piecewise_constant([2, 1.0], boundaries=[1])], r"at .values: shape \(3,\) vs \(2,\)"),
        ([lrjax.warmup(lrjax.cosine(1.0, steps=9), steps=1), lrjax.warmup(lrjax.linear(1.0, 0.0, steps=9), steps=1)], r"at .schedule: cosine\(...\) vs linear"),
    ],
)
def test_stack_names_the_first_structural_difference(schedules, where):
    with pytest.raises(ValueError, match=r"stack: schedules\[1\] differs in structure from schedules\[0\] " + where):
        lrjax.stack(schedules)


def test_stack_keeps_absent_optional_arguments_absent():
    batch = lrjax.stack([lrjax.cycle(lrjax.cosine(1.0, steps=10), period=10), lrjax.cycle(lrjax.cosine(2.0, steps=10), period=10)])
    assert batch.limit is None
    np.testing.assert_allclose(jax.vmap(lambda s: s(15))(batch), [0.5, 1.0], rtol=1e-6)


def test_grid_is_the_cartesian_product_in_order():
    batch, configs = lrjax.grid(lambda a, b: lrjax.linear(a, b, steps=10), a=[1.0, 2.0, 3.0], b=[0.0, 0.5])
    assert configs == [{"a": a, "b": b} for a in (1.0, 2.0, 3.0) for b in (0.0, 0.5)]
    np.testing.assert_allclose(jax.vmap(lambda s: s(10))(batch), [c["b"] for c in configs])


def test_per_group_schedules_with_multi_transform():
    """Fine-tuning recipe: the backbone at a tenth of the head's learning rate."""
    params = {"backbone": jnp.zeros(3), "head": jnp.zeros(2)}
    labels = {"backbone": "backbone", "head": "head"}

    def optimizer(schedule):
        return optax.multi_transform(
            {"backbone": lrjax.inject(optax.adam)(learning_rate=0.1 * schedule), "head": lrjax.inject(optax.adam)(learning_rate=schedule)},
            labels,
        )

    grads = {"backbone": jnp.ones(3), "head": jnp.ones(2)}
    tx = optimizer(lrjax.constant(1e-2))
    updates, _ = jax.jit(tx.update)(grads, tx.init(params), params)
    np.testing.assert_allclose(updates["backbone"], -1e-3, rtol=1e-4)
    np.testing.assert_allclose(updates["head"], -1e-2, rtol=1e-4)

    # The same recipe in a stacked sweep over the head's schedule.
    batch, _ = lrjax.grid(lambda peak: lrjax.warmup_cosine(peak, warmup_steps=2, total_steps=10, init=peak), peak=[1e-2, 3e-2])
    states = jax.vmap(lambda s: optimizer(s).init(params))(batch)
    updates, _ = jax.jit(jax.vmap(tx.update, in_axes=(None, 0, None)))(grads, states, params)
    np.testing.assert_allclose(updates["head"][:, 0], [-1e-2, -3e-2], rtol=1e-4)
    np.testing.assert_allclose(updates["backbone"][:, 0], [-1e-3, -3e-3], rtol=1e-4)


def test_checkpoint_round_trip_resumes_bit_identically(tmp_path):
    tx = optax.chain(
        lrjax.inject(optax.adam)(learning_rate=lrjax.warmup_cosine(0.1, warmup_steps=3, total_steps=40)),
        lrjax.scale_by_plateau(lrjax.plateau(patience=2, factor=0.5)),
    )

    @jax.jit
    def step(params, state):
        value, grads = jax.value_and_grad(loss)(params)
        updates, state = tx.update(grads, state, params, value=value)
        return optax.apply_updates(params, updates), state

    params, state = jnp.zeros(5), tx.init(jnp.zeros(5))
    for _ in range(10):
        params, state = step(params, state)
    leaves, treedef = jax.tree.flatten((params, state))
    np.savez(tmp_path / "ckpt.npz", *[np.asarray(x) for x in leaves])
    with np.load(tmp_path / "ckpt.npz") as f:
        restored = jax.tree.unflatten(treedef, [jnp.asarray(f[f"arr_{i}"]) for i in range(len(leaves))])
    a, b = (params, state), restored
    for _ in range(10):
        a, b = step(*a), step(*b)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(x, y)


SHARDING_SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np, optax, lrjax
    assert jax.device_count() == 4, jax.devices()
    x = jax.random.normal(jax.random.key(0), (32, 3)); y = x @ jnp.arange(3.0)
    batch, configs = lrjax.grid(lambda peak, warmup: lrjax.warmup_cosine(peak, warmup_steps=warmup, total_steps=40), peak=[0.01, 0.03, 0.1, 0.3], warmup=[0, 5])
    tx = lrjax.inject(optax.adam)(learning_rate=lrjax.warmup_cosine(1.0, warmup_steps=1, total_steps=2))
    def step(params, state):
        grads = jax.grad(lambda p: jnp.mean((x @ p - y) ** 2))(params)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state
    def run(params, states):
        for _ in range(5):
            params, states = jax.jit(jax.vmap(step))(params, states)
        return params
    states = jax.vmap(lambda s: lrjax.inject(optax.adam)(learning_rate=s).init(jnp.zeros(3)))(batch)
    params = jnp.zeros((8, 3))
    sharded = run(*lrjax.shard_sweep((params, states)))
    assert len(sharded.sharding.device_set) == 4, sharded.sharding
    np.testing.assert_allclose(sharded, run(params, states), rtol=1e-6)
    print("ok")
    """
)


def test_a_stacked_sweep_shards_across_four_devices():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", SHARDING_SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert result.stdout.strip().endswith("ok"), result.stderr[-3000:]
