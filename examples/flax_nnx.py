"""lrjax with flax nnx: a schedule in optax.adamw, the same through lrjax.inject
(logged with lrjax.hyperparams), and a swap of the schedule mid-run without recompiling."""

import jax
import jax.numpy as jnp
import optax
from flax import nnx

import lrjax

x = jax.random.normal(jax.random.key(0), (128, 8))
y = jnp.sin(x @ jnp.linspace(-1.0, 1.0, 8))[:, None]
traces = 0


class MLP(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.hidden, self.out = nnx.Linear(8, 32, rngs=rngs), nnx.Linear(32, 1, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.relu(self.hidden(x)))


@nnx.jit
def train_step(model, optimizer):
    global traces
    traces += 1  # runs only when nnx.jit traces
    loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
    optimizer.update(model, grads)
    return loss


schedule = lrjax.warmup_cosine(1e-2, warmup_steps=10, total_steps=100)

# 1. Closed over, exactly like an optax schedule. The lr of the last step is schedule(step - 1).
model = MLP(nnx.Rngs(0))
optimizer = nnx.Optimizer(model, optax.adamw(learning_rate=schedule), wrt=nnx.Param)
for _ in range(30):
    loss = train_step(model, optimizer)
print(f"adamw(learning_rate=schedule): loss {float(loss):.4f}, lr {float(schedule(optimizer.step[...] - 1)):.6f}")

# 2. Through inject: the schedule lives in the optimizer state, where it is logged and can be swapped.
traces = 0
model = MLP(nnx.Rngs(0))
optimizer = nnx.Optimizer(model, lrjax.inject(optax.adamw)(learning_rate=schedule, weight_decay=1e-4), wrt=nnx.Param)
for step in range(60):
    loss = train_step(model, optimizer)
    if step % 20 == 19:
        logged = {name: f"{float(v):.6f}" for name, v in lrjax.hyperparams(optimizer.opt_state).items()}
        print(f"inject step {step + 1}: loss {float(loss):.4f}, {logged}")

# A longer schedule of the same structure: assign the result back (nnx Variables are kept).
longer = lrjax.warmup_cosine(1e-2, warmup_steps=10, total_steps=200)
optimizer.opt_state = lrjax.set_schedules(optimizer.opt_state, learning_rate=longer)
for _ in range(20):
    loss = train_step(model, optimizer)
lr = float(lrjax.hyperparams(optimizer.opt_state)["learning_rate"])
print(f"after the swap, step 80: loss {float(loss):.4f}, lr {lr:.6f} (the longer schedule at 79: {float(longer(79)):.6f})")
print(f"train_step was traced {traces} time(s) with inject")
