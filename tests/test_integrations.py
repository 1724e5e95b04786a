"""lrjax with the real flax (serialization and nnx), orbax and equinox: checkpoints
that resume bit-identically, schedule swaps on an nnx Optimizer, equinox's filter_jit,
and lrjax importing none of them itself. Skipped where the `integrations` extra is missing."""

import functools
import pickle
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrjax

X = jax.random.normal(jax.random.key(2), (32, 4))
Y = X @ jnp.arange(1.0, 5.0)


@pytest.fixture(autouse=True)
def standard_promotion():
    with jax.numpy_dtype_promotion("standard"):  # optax and flax are not strict-promotion clean
        yield


TRANSFORMS = {
    "inject": lambda peak: optax.chain(lrjax.inject(optax.adam)(learning_rate=lrjax.warmup_cosine(peak, warmup_steps=3, total_steps=30), b1=0.8)),
    "scale_by_schedule": lambda peak: optax.chain(
        # A fractional period and mult: each duration carries its third leaf (lo), and mult its static offset, through every format.
        optax.scale_by_adam(), lrjax.scale_by_schedule(lrjax.restart(lrjax.cosine(peak, steps=10 / 3), period=10 / 3, mult=1.5)), optax.scale(-1.0)
    ),
    "plateau": lambda peak: optax.chain(
        optax.scale_by_adam(), lrjax.scale_by_plateau(lrjax.plateau(patience=1, factor=0.5), lrjax.warmup(lrjax.constant(peak), steps=2)), optax.scale(-1.0)
    ),
}


@functools.cache
def step_of(kind):
    """The jitted step of TRANSFORMS[kind] (any peak: the schedule's values come from the state)."""
    return make_step(TRANSFORMS[kind](1.0))


def make_step(tx):
    @jax.jit
    def step(params, state):
        loss, grads = jax.value_and_grad(lambda w: jnp.mean((X @ w - Y) ** 2))(params)
        updates, state = tx.update(grads, state, params, value=jnp.round(loss))  # rounded: the plateau sees repeats
        return optax.apply_updates(params, updates), state

    return step


def run(step, params, state, steps):
    for _ in range(steps):
        params, state = step(params, state)
    return params, state


def save_restore(fmt, state, target, tmp_path):
    """``state`` written in format ``fmt`` and read back into ``target`` (a state of the same structure)."""
    if fmt == "flax_bytes":
        serialization = pytest.importorskip("flax.serialization")
        return serialization.from_bytes(target, serialization.to_bytes(state))
    if fmt == "flax_state_dict":
        serialization = pytest.importorskip("flax.serialization")
        return serialization.from_state_dict(target, serialization.to_state_dict(state))
    if fmt == "orbax":
        ocp = pytest.importorskip("orbax.checkpoint")
        with ocp.StandardCheckpointer() as checkpointer:
            checkpointer.save(tmp_path / "ckpt", state)
            checkpointer.wait_until_finished()
            return checkpointer.restore(tmp_path / "ckpt", jax.eval_shape(lambda: target))
    if fmt == "pickle":
        return pickle.loads(pickle.dumps(state))
    np.savez(tmp_path / "ckpt.npz", *jax.tree.leaves(state))
    with np.load(tmp_path / "ckpt.npz") as f:
        return jax.tree.unflatten(jax.tree.structure(target), [f[f"arr_{i}"] for i in range(len(f.files))])


@pytest.mark.parametrize("fmt", ["flax_bytes", "flax_state_dict", "orbax", "pickle", "savez"])
@pytest.mark.parametrize("kind", list(TRANSFORMS))
def test_checkpoints_resume_bit_identically(kind, fmt, tmp_path):
    step = step_of(kind)
    params, state = run(step, jnp.zeros(4), TRANSFORMS[kind](0.05).init(jnp.zeros(4)), 6)
    straight = run(step, params, state, 6)
    target = TRANSFORMS[kind](0.9).init(jnp.zeros(4))  # the code's schedule: same structure, other values
    restored = save_restore(fmt, state, target, tmp_path)
    assert jax.tree.structure(restored) == jax.tree.structure(state)
    for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(state), strict=True):
        assert np.asarray(a).dtype == b.dtype and np.array_equal(a, b)  # the checkpoint's schedule, not the target's
    resumed = run(step, params, restored, 6)
    for a, b in zip(jax.tree.leaves(resumed), jax.tree.leaves(straight), strict=True):
        np.testing.assert_array_equal(a, b)


def test_flax_restore_into_another_schedule_structure_says_what_to_do():
    serialization = pytest.importorskip("flax.serialization")
    state = TRANSFORMS["inject"](0.05).init(jnp.zeros(4))
    target = optax.chain(lrjax.inject(optax.adam)(learning_rate=lrjax.cosine(0.05, steps=30), b1=0.8)).init(jnp.zeros(4))
    with pytest.raises(ValueError, match=r"does not hold a cosine of the target's structure .* then replace it with lrjax.set_schedules"):
        serialization.from_bytes(target, serialization.to_bytes(state))


def test_orbax_without_a_target_gives_plain_containers_of_arrays(tmp_path):
    ocp = pytest.importorskip("orbax.checkpoint")
    state = TRANSFORMS["inject"](0.05).init(jnp.zeros(4))
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(tmp_path / "ckpt", state)
        checkpointer.wait_until_finished()
        untyped = checkpointer.restore(tmp_path / "ckpt")
    schedule = untyped[0]["schedules"]["learning_rate"]  # chain's tuple as a list, NamedTuples and schedules as dicts
    assert isinstance(schedule, dict) and not isinstance(schedule, lrjax.Schedule)
    assert float(schedule["peak"]) == pytest.approx(0.05)


def _python(code):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("flax_first", [False, True])
def test_lrjax_imports_no_flax_orbax_or_matplotlib_and_flax_serializes_its_states_whichever_comes_first(flax_first):
    pytest.importorskip("flax")
    out = _python(f"""
        import sys
        if {flax_first}:
            import flax.serialization
        import jax.numpy as jnp, optax, lrjax
        state = lrjax.inject(optax.adam)(learning_rate=lrjax.warmup_cosine(1.0, warmup_steps=2, total_steps=10)).init(jnp.zeros(2))
        state.schedules["learning_rate"]._repr_html_()  # the notebook display draws without matplotlib
        print(sorted({{m.split(".")[0] for m in sys.modules}} & {{"flax", "orbax", "equinox", "matplotlib"}}))
        from flax import serialization  # after the state was built
        restored = serialization.from_bytes(state, serialization.to_bytes(state))
        schedule = restored.schedules["learning_rate"]
        print(type(schedule).__name__, schedule(1) == 0.5, [type(f).__name__ for f in sys.meta_path if "lrjax" in type(f).__module__])
    """)
    assert out.splitlines() == ["['flax']" if flax_first else "[]", "warmup_cosine True []"], out


def test_nnx_optimizer_logs_and_swaps_schedules_without_retracing():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(4, 1, rngs=nnx.Rngs(0))
    first = lrjax.warmup_cosine(0.05, warmup_steps=3, total_steps=30)
    optimizer = nnx.Optimizer(model, lrjax.inject(optax.adamw)(learning_rate=first, weight_decay=1e-4), wrt=nnx.Param)
    traces = []

    @nnx.jit
    def step(model, optimizer):
        traces.append(1)
        grads = nnx.grad(lambda m: jnp.mean((m(X)[:, 0] - Y) ** 2))(model)
        optimizer.update(model, grads)

    for _ in range(4):
        step(model, optimizer)
    assert float(lrjax.hyperparams(optimizer.opt_state)["learning_rate"]) == float(first(3))
    second = lrjax.warmup_cosine(0.02, warmup_steps=10, total_steps=40)
    optimizer.opt_state = lrjax.set_schedules(optimizer.opt_state, learning_rate=second)
    for _ in range(2):
        step(model, optimizer)
    assert len(traces) == 1
    assert isinstance(optimizer.opt_state.schedules["learning_rate"], type(second))  # still a schedule after updates
    assert float(lrjax.hyperparams(optimizer.opt_state)["learning_rate"]) == float(second(5))
    optimizer.opt_state = lrjax.set_schedules(optimizer.opt_state, learning_rate=lrjax.cosine(0.01, steps=10), weight_decay=0.0)
    for _ in range(2):
        step(model, optimizer)
    assert len(traces) == 2
    logged = lrjax.hyperparams(optimizer.opt_state)
    assert float(logged["learning_rate"]) == float(lrjax.cosine(0.01, steps=10)(7)) and float(logged["weight_decay"]) == 0.0


def test_nnx_assigning_raw_arrays_fails_as_the_docs_say():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(2, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, lrjax.inject(optax.sgd)(learning_rate=lrjax.warmup_cosine(0.1, warmup_steps=2, total_steps=9)), wrt=nnx.Param)
    raw = optimizer.opt_state._replace(schedules={"learning_rate": lrjax.warmup_cosine(0.2, warmup_steps=2, total_steps=9)})
    optimizer.opt_state = raw
    grads = nnx.grad(lambda m: jnp.sum(m(jnp.ones((1, 2)))))(model)
    with pytest.raises(ValueError, match="Cannot set key"):
        optimizer.update(model, grads)


def test_equinox_tree_serialise_leaves_round_trips_a_state(tmp_path):
    eqx = pytest.importorskip("equinox")
    step = step_of("plateau")
    params, state = run(step, jnp.zeros(4), TRANSFORMS["plateau"](0.05).init(jnp.zeros(4)), 5)
    eqx.tree_serialise_leaves(tmp_path / "state.eqx", state)
    restored = eqx.tree_deserialise_leaves(tmp_path / "state.eqx", TRANSFORMS["plateau"](0.9).init(jnp.zeros(4)))
    for a, b in zip(jax.tree.leaves(run(step, params, restored, 4)), jax.tree.leaves(run(step, params, state, 4)), strict=True):
        np.testing.assert_array_equal(a, b)
