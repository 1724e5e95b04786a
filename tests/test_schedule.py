"""The Schedule mechanics shared by every kind: step inputs, dtypes, PyTree
behaviour inside transformations, immutability and program size."""

import dataclasses
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrjax

from .cases import CASES
from .helpers import hlo_ops


@pytest.mark.parametrize(
    "step, shape",
    [
        (3, ()),
        (3.0, ()),
        (np.int64(3), ()),
        (np.float32(3), ()),
        (jnp.int32(3), ()),
        (jnp.uint8(3), ()),
        (np.arange(6).reshape(2, 3), (2, 3)),
        (jnp.arange(6.0).reshape(3, 2), (3, 2)),
        (jnp.zeros((0,), jnp.int32), (0,)),
    ],
)
def test_any_step_input_gives_float32_of_the_same_shape(step, shape):
    s = lrjax.linear(init=0.0, end=1.0, steps=6)
    out = s(step)
    assert out.shape == shape and out.dtype == jnp.float32
    np.testing.assert_allclose(out, np.minimum(np.asarray(step, np.float64), 6) / 6, rtol=1e-6)


def test_steps_below_zero_behave_as_step_zero():
    for case in CASES:
        s = case.build()
        np.testing.assert_array_equal(s(jnp.array([-5, -1, 0])), s(0) * np.ones(3))
        np.testing.assert_array_equal(s(-2.5), s(0))


def test_leaves_are_strongly_typed_floats_whatever_was_passed():
    for s in (lrjax.cosine(1, steps=100), lrjax.cosine(np.float32(1), steps=jnp.int32(100)), lrjax.multistep(1, boundaries=[3, 5], factor=0.5)):
        for leaf in jax.tree.leaves(s):
            # NumPy leaves (built without a device round trip) are never weakly typed; inside jit they are float32 tracers.
            assert leaf.dtype == jnp.float32 and not getattr(leaf, "weak_type", False)
        traced = jax.jit(lambda s: jax.tree.map(lambda x: jax.numpy.zeros_like(x), s))(s)
        assert all(not leaf.weak_type and leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(traced))


def test_leaves_are_named_by_their_argument():
    s = lrjax.wsd(1.0, warmup_steps=10, stable_steps=20, decay_steps=30)
    paths = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(s)[0]]
    # A duration is a Duration of two leaves, coarse (a multiple of 256) and fine.
    assert paths == [
        ".peak",
        ".warmup_steps.coarse", ".warmup_steps.fine",
        ".stable_steps.coarse", ".stable_steps.fine",
        ".decay_steps.coarse", ".decay_steps.fine",
        ".init", ".end",
    ]


def test_structure_is_static_and_part_of_the_treedef():
    durations = dict(warmup_steps=10, stable_steps=20, decay_steps=30)
    a, b = lrjax.wsd(1.0, **durations), lrjax.wsd(1.0, **durations, shape="cosine")
    assert jax.tree.structure(a) != jax.tree.structure(b)
    assert jax.tree.structure(lrjax.exponential(1.0, rate=0.5, steps=10)) != jax.tree.structure(
        lrjax.exponential(1.0, rate=0.5, steps=10, staircase=True)
    )
    # An optional bound is structure (exponential's former end is now a clip).
    assert jax.tree.structure(lrjax.clip(lrjax.exponential(1.0, rate=0.5, steps=10), min=0.1)) != jax.tree.structure(
        lrjax.clip(lrjax.exponential(1.0, rate=0.5, steps=10), max=0.1)
    )
    # Whether a duration is whole is static: decided when built, part of the treedef.
    assert jax.tree.structure(lrjax.cosine(1.0, steps=10)) != jax.tree.structure(lrjax.cosine(1.0, steps=10.5))
    assert jax.tree.structure(lrjax.cosine(1.0, steps=10)) == jax.tree.structure(lrjax.cosine(2.0, steps=10.0))


def test_unflatten_does_not_rerun_validation_or_conversion():
    for case in CASES:
        s = case.build()
        leaves, treedef = jax.tree.flatten(s)
        placeholders = jax.tree.unflatten(treedef, [object()] * len(leaves))
        assert all(type(x) is object for x in jax.tree.leaves(placeholders))
        # -1 is an invalid duration for the constructor, but a legal leaf.
        assert jax.tree.unflatten(treedef, [-1.0] * len(leaves)) is not None


def test_vmap_with_an_in_axes_prefix_holding_none():
    s = lrjax.cosine(init=jnp.array([1.0, 2.0]), steps=100.0)
    # Built without dataclasses.replace (which re-validates): None everywhere, then 0 on the one batched leaf.
    axes = jax.tree_util.tree_map_with_path(lambda path, _: 0 if jax.tree_util.keystr(path) == ".init" else None, s)
    assert jax.tree.leaves(axes) == [0] and axes.init == 0 and axes.power is None
    out = jax.vmap(lambda sched: sched(50), in_axes=(axes,))(s)
    np.testing.assert_allclose(out, [0.5, 1.0], rtol=1e-6)


def test_jacobian_with_respect_to_a_schedule():
    s = lrjax.linear(init=1.0, end=0.0, steps=10)
    jac = jax.jacobian(lambda sched: sched(jnp.array([0, 5, 10])))(s)
    np.testing.assert_allclose(jac.init, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(jac.end, [0.0, 0.5, 1.0])


def test_schedules_are_immutable():
    s = lrjax.cosine(1.0, steps=100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.init = 2.0


def test_every_schedule_is_an_optax_schedule_in_scale_by_schedule():
    s = lrjax.piecewise_constant([1.0, 0.5], boundaries=[2])
    tx = optax.scale_by_schedule(s)
    state = tx.init(jnp.zeros(2))
    update = jax.jit(tx.update)
    scales = []
    for _ in range(4):
        u, state = update(jnp.ones(2), state)
        scales.append(float(u[0]))
    assert scales == [1.0, 1.0, 0.5, 0.5]


@pytest.mark.parametrize(
    "make",
    [
        lambda n: lrjax.piecewise_constant(np.linspace(1, 0, n + 1), boundaries=np.arange(1, n + 1) * 10),
        lambda n: lrjax.piecewise_linear(np.linspace(1, 0, n), boundaries=np.arange(n) * 10),
        lambda n: lrjax.multistep(1.0, boundaries=np.arange(1, n + 1) * 10, factor=0.9),
    ],
    ids=["piecewise_constant", "piecewise_linear", "multistep"],
)
def test_program_size_does_not_grow_with_the_number_of_pieces(make):
    """Bounded: up to 64 pieces are compared all at once (a smaller program), beyond by binary search."""
    steps = jnp.arange(100)
    sizes = {n: hlo_ops(lambda s: s(steps), make(n)) for n in (10, 100, 1000, 10000, 100000)}
    assert sizes[1000] == sizes[10000] == sizes[100000] >= max(sizes.values()), sizes
    big = make(1000)
    t = np.array([0, 9, 10, 4999, 5000, 9999, 10000, 20000])
    assert np.all(np.isfinite(big(t)))


X64_SCRIPT = textwrap.dedent(
    """
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp, numpy as np, lrjax
    s = lrjax.cosine(init=1.0, steps=3)
    assert s(1).dtype == jnp.float64, s(1).dtype
    assert abs(float(s(1)) - 0.75) < 1e-15
    init, steps, end, power = np.float32([1.0, 3.0, 0.0, 1.0])
    f32 = lrjax.cosine(init, end, steps=steps, power=power)
    assert f32(1).dtype == jnp.float32, f32(1).dtype
    big = lrjax.piecewise_constant([1.0, 2.0], boundaries=[2**40])
    assert float(big(jnp.int64(2**40 - 1))) == 1.0 and float(big(jnp.int64(2**40))) == 2.0
    print("ok")
    """
)


def test_float64_when_x64_is_enabled():
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", X64_SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_noise_is_standard_normal_deterministic_and_independent_across_steps():
    t = jnp.arange(50_000)
    z = np.asarray(lrjax.noise(seed=7)(t))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.corrcoef(z[:-1], z[1:])[0, 1]) < 0.02
    bounded = np.asarray(lrjax.noise(seed=7, bound=0.67)(t))
    assert np.abs(bounded).max() < 0.67 and abs(bounded.std() - 0.3655) < 0.01  # std of N(0,1) truncated to |z| < 0.67
    np.testing.assert_array_equal(lrjax.noise(seed=7)(t[:100]), z[:100])  # same seed, same draws
    assert np.all(lrjax.noise(seed=8)(t[:100]) != z[:100])
    np.testing.assert_array_equal(lrjax.noise(seed=7)(jnp.arange(100.0) + 0.5), z[:100])  # fractional steps: their whole step
    seeds = jax.vmap(lambda s: lrjax.noise(seed=s)(3))(jnp.arange(4.0))
    assert len(set(np.asarray(seeds).tolist())) == 4
    with pytest.raises(ValueError, match=r"noise: seed must be a whole number >= 0 and < (16777216|2\*\*24|1\.67772e\+07), got 1\.5"):
        lrjax.noise(seed=1.5)
    with pytest.raises(ValueError, match=r"noise: bound must be a finite number > 0, got 0"):
        lrjax.noise(seed=1, bound=0)
    with pytest.raises(TypeError, match="positional"):  # 0.2: seed is keyword-only
        lrjax.noise(7)
