"""One regression test per defect that random testing found in lrjax 0.1 (issue 12), numbered as there."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lrjax
from lrjax._cli import main


def test_1_restart_with_a_large_whole_mult_has_finite_gradients():
    def value(period, mult):
        return lrjax.restart(lrjax.cosine(1.0, steps=10), period=period, mult=mult)(jnp.array([0, 5, 15, 10**6])).sum()

    for mult in (17.0, 1000.0):
        grads = jax.grad(value, argnums=(0, 1))(10.0, mult)
        assert all(np.isfinite(g) for g in grads), grads
    tree_grad = jax.grad(lambda s: s(jnp.array([0, 5, 10**6])).sum())(lrjax.restart(lrjax.cosine(1.0, steps=10), period=10, mult=1000.0))
    assert all(np.all(np.isfinite(leaf)) for leaf in jax.tree.leaves(tree_grad))


@pytest.mark.parametrize("make", [
    lambda: lrjax.cosine([], steps=10),
    lambda: lrjax.one_cycle([], steps=10),
    lambda: lrjax.one_cycle_momentum(steps=[]),
    lambda: lrjax.noise(seed=[]),
    lambda: lrjax.sgdr(1.0, period=[]),
    lambda: lrjax.plateau(patience=[]),
])
def test_2_an_empty_list_for_a_number_is_a_value_error(make):
    with pytest.raises(ValueError, match=r"must be a number, got an empty array"):
        make()


def test_2_arrays_of_mismatched_shapes_are_a_value_error():
    with pytest.raises(ValueError, match=r"batched arguments must have one batch shape, got init \(2,\), steps \(3,\)"):
        lrjax.cosine([1.0, 2.0], steps=[3, 4, 5])


def test_3_exponential_growth_from_a_huge_init_stays_finite():
    values = lrjax.exponential(1e30, rate=2.0, steps=1)(jnp.array([0, 100, 10**6]))
    assert np.all(np.isfinite(values)) and float(values[0]) == np.float32(1e30)


def test_4_a_fractional_cycle_length_evaluates_alike_eager_and_jitted_near_2_to_the_31():
    s = lrjax.cyclic(-1.0, 1.0, up_steps=7.5, down_steps=5.0)  # a 12.5-step cycle, exact in float32
    t = jnp.array([2147483646, 2**31 - 1, 10**9 + 7], jnp.int32)
    x = np.asarray(t, np.float64)
    position = x - np.floor(x / 12.5) * 12.5
    expected = np.where(position <= 7.5, -1 + 2 * position / 7.5, -1 + 2 * (12.5 - position) / 5.0)
    np.testing.assert_allclose(s(t), expected, atol=1e-3)
    np.testing.assert_allclose(jax.jit(s)(t), expected, atol=1e-3)


CONFIG = {"format": "lrjax", "version": 2}


@pytest.mark.parametrize("config, message", [
    ({**CONFIG, "schedule": {"type": ["cosine"]}}, r"type must be a string"),
    ({**CONFIG, "schedule": {"type": {"a": 1}}}, r"type must be a string"),
    ({**CONFIG, "batch_shape": [5], "schedule": {"type": "constant", "value": [1.0, 2.0]}}, r"batch_shape is \[5\]"),
    ({**CONFIG, "batch_shape": [1], "schedule": {"type": "constant", "value": []}}, r"got an empty array"),
    ({**CONFIG, "batch_shape": [2], "schedule": {"type": "constant", "value": [1.0, None]}}, r"must be a number"),
    ({**CONFIG, "batch_shape": [10**40], "schedule": {"type": "constant", "value": 1.0}}, r"batch_shape is"),
])
def test_5_and_6_malformed_configs_are_one_value_error(config, message):
    with pytest.raises(ValueError, match=message):
        lrjax.from_config(config)


def test_6_a_large_batched_config_is_built_at_once():
    n = 20_000
    config = {**CONFIG, "batch_shape": [n], "schedule": {"type": "linear", "init": [1.0] * n, "end": 0.0, "steps": [100] * n}}
    assert lrjax.from_config(config)(50).shape == (n,)


@pytest.mark.parametrize("make", [lambda: lrjax.cosine(1j, steps=10), lambda: lrjax.plateau(factor=1j)])
def test_7_a_complex_number_is_a_value_error(make):
    with pytest.raises(ValueError, match=r"must be a real number, got 1j"):
        make()


def test_8_batched_leaves_of_different_lengths_are_rejected_when_parsed():
    with pytest.raises(ValueError, match=r"batched arguments must have one batch shape"):
        lrjax.parse("cosine([1, 2], steps=[3, 4, 5])")


def test_9_a_stacked_one_cycle_is_callable_directly_and_through_values():
    s = lrjax.stack([lrjax.one_cycle(1.0, steps=100), lrjax.one_cycle(2.0, steps=50)])
    direct = s(jnp.array([0, 29, 99]))
    np.testing.assert_allclose(direct, [[0.04, 1.0, 4e-6], [0.08, lrjax.one_cycle(2.0, steps=50)(29), 8e-6]], rtol=1e-5)
    np.testing.assert_allclose(lrjax.values(s, 99)[:, [0, 29, 99]], direct, rtol=1e-6)


def _command(capsys, *argv):
    """``lrjax ARGV`` in this process: (exit status, stderr)."""
    try:
        status = main(list(argv))
    except SystemExit as e:
        status = e.code
    return status, capsys.readouterr().err


def test_5_9_10_12_the_command_answers_bad_input_with_one_line_and_status_2(tmp_path, capsys):
    bad_type = tmp_path / "bad.json"
    bad_type.write_text(json.dumps({**CONFIG, "schedule": {"type": ["cosine"]}}))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format": "lrjax\xff"}')
    stacked = tmp_path / "stacked.json"
    stacked.write_text(json.dumps(lrjax.to_config(lrjax.stack([lrjax.one_cycle(1.0, steps=100), lrjax.one_cycle(2.0, steps=50)]))))
    cases = [
        ([str(bad_type)], "type must be a string"),
        ([str(deep)], "nested too deeply"),
        ([str(latin)], f"{latin} is not UTF-8 text"),
        ([str(stacked)], "is a batch of (2,) schedules"),
        (["cosine(1, steps=10)", "--steps", "abc"], "argument --steps: must be an int in [1, 2147483647], got 'abc'"),
        (["cosine(1, steps=9223372036854775807 * 9)"], "number too large"),
    ]
    for argv, message in cases:
        status, err = _command(capsys, "show", *argv)
        assert status == 2 and err.count("\n") == 1 and message in err, (argv, err)


def test_11_bad_options_print_one_line(capsys):
    status, err = _command(capsys, "show", "--bogus", "x")
    assert status == 2 and err.count("\n") == 1 and "unrecognized arguments: --bogus" in err
