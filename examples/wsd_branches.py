"""Warmup-stable-decay with branching cooldowns: train once at a constant lr, then run
several cooldowns of different lengths from the same checkpoint, all with one compiled step."""

import jax
import jax.numpy as jnp
import optax

import lrjax

x = jax.random.normal(jax.random.key(0), (256, 8))
y = jnp.sin(x @ jnp.linspace(-1.0, 1.0, 8))
w1 = 0.5 * jax.random.normal(jax.random.key(1), (8, 32))
traces = 0


def cooldown(length, start):
    """The stable lr, then a linear cooldown to 0 over `length` steps from step `start`."""
    return lrjax.cooldown(lrjax.warmup(lrjax.constant(3e-3), steps=20), steps=length, total_steps=start + length)


# The stable run is a cooldown too far away to matter, so the branches share its structure.
optimizer = lrjax.inject(optax.adam)(learning_rate=cooldown(1, 2**30))


@jax.jit
def train_step(params, state):
    global traces
    traces += 1
    loss, grads = jax.value_and_grad(lambda w: jnp.mean((jnp.tanh(x @ w1) @ w - y) ** 2))(params)
    updates, state = optimizer.update(grads, state, params)
    return optax.apply_updates(params, updates), state, loss


def train(params, state, steps):
    for _ in range(steps):
        params, state, loss = train_step(params, state)
    return params, state, loss


params = jnp.zeros(32)
params, checkpoint, loss = train(params, optimizer.init(params), 200)
print(f"stable phase, 200 steps: loss {float(loss):.5f}")
for length in (20, 50, 100):
    state = lrjax.set_schedules(checkpoint, learning_rate=cooldown(length, 200))
    _, state, loss = train(params, state, length + 1)
    print(f"cooldown over {length:3d} steps: loss {float(loss):.5f}, final lr {float(lrjax.hyperparams(state)['learning_rate']):.1f}")
print(f"train_step was traced {traces} time(s) for the stable run and 3 cooldowns")
