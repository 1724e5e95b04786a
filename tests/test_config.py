"""Configs: `lrjax.to_config` writes JSON-serializable dicts, `lrjax.from_config` rebuilds the schedule exactly."""

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lrjax

from .cases import CASES
from .helpers import assert_same_tree

CONFIGURABLE = [c for c in CASES if c.id != "from_fn"]


def through_json(schedule):
    return lrjax.from_config(json.loads(json.dumps(lrjax.to_config(schedule))))


@pytest.mark.parametrize("case", CONFIGURABLE, ids=repr)
def test_round_trip_of_every_kind(case):
    for kwargs in (case.kwargs, {**case.kwargs, **case.alt}):
        s = case.build(**kwargs)
        assert_same_tree(through_json(s), s)


@pytest.mark.parametrize("case", CONFIGURABLE, ids=repr)
def test_round_trip_of_stacked_schedules(case):
    s = lrjax.stack([case.build(), case.build(**case.alt), case.build()])
    config = lrjax.to_config(s)
    assert config["batch_shape"] == [3]
    assert_same_tree(through_json(s), s)  # same structure and bit-identical leaves: the same values


def test_round_trip_of_a_two_dimensional_batch():
    batch, _ = lrjax.grid(lambda peak, warm: lrjax.warmup_cosine(peak, warmup_steps=warm, total_steps=100), peak=[0.1, 0.2, 0.3], warm=[0, 10])
    grid = lrjax.from_config({**lrjax.to_config(batch), "batch_shape": [6]})
    assert_same_tree(grid, batch)
    square = jax.tree.map(lambda x: x.reshape((3, 2) + x.shape[1:]), batch)
    config = lrjax.to_config(square)
    assert config["batch_shape"] == [3, 2]
    again = lrjax.from_config(config)
    assert jax.tree.structure(again) == jax.tree.structure(lrjax.from_config(json.loads(json.dumps(config))))
    np.testing.assert_array_equal(again(50), square(50))
    assert again(50).shape == (3, 2)


def test_config_layout():
    s = lrjax.warmup(lrjax.cosine(1e-3, steps=10_000), steps=500)
    assert lrjax.to_config(s) == {
        "format": "lrjax",
        "version": 2,
        "schedule": {
            "type": "warmup",
            "schedule": {"type": "cosine", "init": 0.001, "end": 0.0, "steps": 10000, "power": 1.0},
            "steps": 500,
            "init": 0.0,
            "shape": "linear",
            "prefix": True,
        },
    }
    node = lrjax.to_config(lrjax.join([1.0, lrjax.linear(1, 0, steps=10)], boundaries=[5.5]))["schedule"]
    assert node == {"type": "join", "schedules": [{"type": "constant", "value": 1.0},
                                                  {"type": "linear", "init": 1.0, "end": 0.0, "steps": 10}],
                    "boundaries": [5.5]}
    assert lrjax.to_config(lrjax.cosine(1.0, steps=10) * 0.5)["schedule"] == {
        "type": "*", "left": {"type": "cosine", "init": 1.0, "end": 0.0, "steps": 10, "power": 1.0},
        "right": {"type": "constant", "value": 0.5}}
    assert lrjax.to_config(lrjax.warmup_cosine(1.0, warmup_steps=10, total_steps=100))["schedule"] == {
        "type": "warmup_cosine", "peak": 1.0, "warmup_steps": 10, "total_steps": 100, "init": 0.0, "end": 0.0}


def test_durations_are_written_exactly_and_numbers_as_the_shortest_decimal():
    s = lrjax.linear(0.1, 1 / 3, steps=2**31 - 1)
    node = lrjax.to_config(s)["schedule"]
    assert node["init"] == 0.1 and type(node["init"]) is float  # float32(0.1) written as 0.1
    assert node["end"] == 0.33333334
    assert node["steps"] == 2**31 - 1 and type(node["steps"]) is int  # exact: 0.1 wrote 2**31
    assert_same_tree(lrjax.from_config(lrjax.to_config(s)), s)
    fractional = lrjax.to_config(lrjax.shift(lrjax.constant(1.0), steps=1000.3))["schedule"]["steps"]
    assert fractional == 1000.3
    assert_same_tree(lrjax.from_config(lrjax.to_config(lrjax.shift(lrjax.constant(1.0), steps=1000.3))), lrjax.shift(lrjax.constant(1.0), steps=1000.3))


def test_from_fn_has_no_config_and_the_error_names_where_it_is():
    def rsqrt(t, a):
        return a / jnp.sqrt(t + 1)

    with pytest.raises(ValueError, match=r"to_config: schedule is from_fn\(rsqrt, a=1.0\), which holds a Python function"):
        lrjax.to_config(lrjax.from_fn(rsqrt, a=1.0))
    nested = lrjax.join([1.0, lrjax.warmup(lrjax.from_fn(rsqrt, a=1.0), steps=5)], boundaries=[10])
    with pytest.raises(ValueError, match=r"to_config: schedule.schedules\[1\].schedule is from_fn\(rsqrt"):
        lrjax.to_config(nested)


def test_traced_leaves_have_no_config():
    with pytest.raises(ValueError, match=r"to_config: schedule.init is traced; write configs outside jit"):
        jax.jit(lambda p: lrjax.to_config(lrjax.cosine(p, steps=10)) and p)(1.0)


def test_plateau_controllers_round_trip():
    p = lrjax.plateau(mode="max", factor=0.5, patience=3, threshold_mode="abs")
    assert_same_tree(through_json(p), p)


FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "configs_v1.json").read_text())


@pytest.mark.parametrize("entry", FIXTURE["entries"], ids=[e["id"] for e in FIXTURE["entries"]])
def test_configs_written_by_0_1_load_and_give_the_same_values(entry):
    """Every kind's config as lrjax 0.1 wrote it (tests/fixtures/configs_v1.json), and its values then."""
    s = lrjax.from_config(entry["config"])
    if entry["values"] is None:  # a plateau controller: same arguments
        assert s == s and lrjax.to_config(s)["schedule"]["patience"] == entry["config"]["schedule"]["patience"]
        return
    got = np.asarray(s(jnp.asarray(FIXTURE["steps"], jnp.int32)), np.float64).ravel()
    want = np.asarray(entry["values"], np.float64)
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-7 * scale)
    assert_same_tree(through_json(s), s)  # and it writes today's version, which reads back


BAD = [
    ([], r"from_config: expected a dict, got list"),
    ({"version": 2, "schedule": {}}, r"not an lrjax config: format must be 'lrjax', got None"),
    ({"format": "lrjax", "version": 3, "schedule": {}}, r"reads config versions 1 to 2, got version 3"),
    ({"format": "lrjax", "version": "1", "schedule": {}}, r"got version '1'"),
    ({"format": "lrjax", "version": 2}, r"the config has no 'schedule' entry"),
    ({"format": "lrjax", "version": 2, "schedule": {}, "extra": 1}, r"unknown entries \['extra'\]"),
    ({"format": "lrjax", "version": 2, "schedule": {"init": 1.0}}, r"at schedule: expected a schedule node"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "cosinus"}}, r"at schedule: unknown type 'cosinus'"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": ["cosine"]}}, r"at schedule: type must be a string naming a kind, got \['cosine'\]"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": {"a": 1}}}, r"at schedule: type must be a string naming a kind"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "add", "left": 1, "right": 2}}, r"at schedule: unknown type 'add'"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "cosine", "init": 1.0}},
     r"at schedule: cosine: missing a required argument: 'steps'"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "warmup", "steps": 5,
                                                     "schedule": {"type": "cosine", "init": 1.0, "steps": -1}}},
     r"at schedule.schedule: cosine: steps must be a finite number >= 0, got -1"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "from_fn"}}, r"at schedule: unknown type 'from_fn'"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "constant", "value": 1.0}, "batch_shape": [0]},
     r"batch_shape must be a list of positive ints, got \[0\]"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "constant", "value": [1.0, 2.0]}, "batch_shape": [3]},
     r"batch_shape is \[3\], but the schedule's leaves have batch shape \[2\]"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "constant", "value": 1.0}, "batch_shape": [10**30]},
     r"batch_shape is \[1000000000000000000000000000000\], but the schedule's leaves have batch shape \[\]"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "constant", "value": []}, "batch_shape": [1]},
     r"constant: value must be a number, got an empty array"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "constant", "value": [1.0, None]}, "batch_shape": [2]},
     r"constant: value must be a number, got \[1.0, None\]"),
    ({"format": "lrjax", "version": 2, "schedule": {"type": "cosine", "init": [1, 2], "steps": [3, 4, 5]}, "batch_shape": [2]},
     r"cosine: batched arguments must have one batch shape, got init \(2,\), steps \(3,\)"),
]


@pytest.mark.parametrize("config, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_configs_raise_naming_the_problem(config, message):
    with pytest.raises(ValueError, match=r"^(from_config: )?.*" + message):
        lrjax.from_config(config)


def test_deep_nesting_is_a_value_error():
    node = {"type": "constant", "value": 1.0}
    for _ in range(5000):
        node = {"type": "shift", "schedule": node, "steps": 1}
    with pytest.raises(ValueError, match=r"nested deeper than 64 levels"):
        lrjax.from_config({"format": "lrjax", "version": 2, "schedule": node})


def test_a_large_batch_is_built_as_batched_leaves():
    n = 20_000
    config = {"format": "lrjax", "version": 2, "batch_shape": [n],
              "schedule": {"type": "cosine", "init": [1.0] * n, "steps": list(range(1, n + 1))}}
    s = lrjax.from_config(config)
    assert s(0).shape == (n,) and float(s(n)[-1]) == 0.0


def test_a_bad_batch_member_is_named():
    config = lrjax.to_config(lrjax.stack([lrjax.cosine(1.0, steps=10), lrjax.cosine(2.0, steps=20)]))
    config["schedule"]["steps"] = [10, -20]
    with pytest.raises(ValueError, match=r"at schedule: cosine: steps must be a finite number >= 0, got \[10, -20\]"):
        lrjax.from_config(config)


def test_deeply_nested_json_is_one_value_error():
    # Found by tests/test_fuzz.py: a message printed the repr of 5000 nested lists (RecursionError).
    deep = []
    for _ in range(5000):
        deep = [deep]
    for config in ({"format": "lrjax", "version": 2, "schedule": deep},
                   {"format": "lrjax", "version": 2, "schedule": {"type": deep}},
                   {"format": "lrjax", "version": 2, "schedule": {"type": "cosine", "init": deep, "steps": 1}},
                   {"format": deep}):
        with pytest.raises(ValueError, match="from_config: "):
            lrjax.from_config(config)


@pytest.mark.parametrize("steps", [1e19, 2**53 + 2, 2**63])
def test_whole_durations_beyond_2_to_the_53_round_trip(steps):
    # Found by tests/test_fuzz.py: repr wrote them as ints, and parse rejects ints beyond 2**63.
    s = lrjax.cosine(1.0, steps=steps)
    assert_same_tree(lrjax.parse(repr(s)), s)
    assert_same_tree(lrjax.from_config(json.loads(json.dumps(lrjax.to_config(s)))), s)
