"""Checkpoint and resume with orbax: the schedule is part of the optimizer state, so a
restored run continues its own schedule bit-identically; lrjax.set_schedules replaces it
with the one the code now builds."""

import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp

import lrjax

x = jax.random.normal(jax.random.key(0), (128, 4))
y = x @ jnp.arange(1.0, 5.0)


def make_optimizer(schedule):
    return lrjax.inject(optax.adam)(learning_rate=schedule)


optimizer = make_optimizer(lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=50))


@jax.jit
def train_step(params, state):
    loss, grads = jax.value_and_grad(lambda w: jnp.mean((x @ w - y) ** 2))(params)
    updates, state = optimizer.update(grads, state, params)  # the schedule comes from `state`
    return optax.apply_updates(params, updates), state, loss


def train(params, state, steps):
    for _ in range(steps):
        params, state, loss = train_step(params, state)
    return params, state, loss


params = jnp.zeros(4)
params, state, _ = train(params, optimizer.init(params), 40)
with tempfile.TemporaryDirectory() as directory, ocp.CheckpointManager(directory) as manager:
    manager.save(40, args=ocp.args.StandardSave({"params": params, "opt_state": state}))
    manager.wait_until_finished()
    straight_params, _, _ = train(params, state, 20)

    # Restore into an abstract target built by the code: NamedTuples and schedules come back
    # typed (without a target orbax returns plain dicts and lists of arrays). The leaves, the
    # schedule's numbers included, come from the checkpoint.
    edited = make_optimizer(lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=100))  # the code changed since
    target = jax.eval_shape(lambda: {"params": jnp.zeros(4), "opt_state": edited.init(jnp.zeros(4))})
    restored = manager.restore(manager.latest_step(), args=ocp.args.StandardRestore(target))

resumed_params, resumed, _ = train(restored["params"], restored["opt_state"], 20)
print("resumed with the checkpoint's schedule, bit-identical:", bool(np.array_equal(resumed_params, straight_params)))
print("checkpoint's lr at step 59:", float(lrjax.hyperparams(resumed)["learning_rate"]))

# Or continue with the schedule the code builds now: replace it in the restored state.
state = lrjax.set_schedules(restored["opt_state"], learning_rate=lrjax.warmup_cosine(0.1, warmup_steps=5, total_steps=100))
_, state, loss = train(restored["params"], state, 20)
print(f"code's lr at step 59: {float(lrjax.hyperparams(state)['learning_rate']):.6f}, loss {float(loss):.4f}")
