"""Configs: `lrjax.to_config` writes JSON-serializable dicts, `lrjax.from_config` rebuilds the schedule exactly."""

import json

import jax
import jax.numpy as jnp
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
    batch, _ = lrjax.grid(lambda peak, warm: lrjax.warmup_cosine(peak, warm, 100), peak=[0.1, 0.2, 0.3], warm=[0, 10])
    grid = jax.tree.map(lambda x: x.reshape((3, 2) + x.shape[1:]), batch)
    config = lrjax.to_config(grid)
    assert config["batch_shape"] == [3, 2]
    assert_same_tree(lrjax.from_config(config), grid)


def test_config_layout():
    s = lrjax.warmup(lrjax.cosine(1e-3, 10_000), steps=500)
    assert lrjax.to_config(s) == {
        "format": "lrjax",
        "version": 1,
        "schedule": {
            "type": "warmup",
            "schedule": {"type": "cosine", "init": 0.001, "steps": 10000, "end": 0.0, "exponent": 1.0},
            "steps": 500,
            "init": 0.0,
            "shape": "linear",
            "prefix": True,
        },
    }
    node = lrjax.to_config(lrjax.join([1.0, lrjax.linear(1, 0, 10)], [5.5]))["schedule"]
    assert node == {"type": "join", "schedules": [{"type": "constant", "value": 1.0},
                                                  {"type": "linear", "init": 1.0, "end": 0.0, "steps": 10}],
                    "boundaries": [5.5]}
    assert lrjax.to_config(lrjax.cosine(1.0, 10) * 0.5)["schedule"] == {
        "type": "multiply", "left": {"type": "cosine", "init": 1.0, "steps": 10, "end": 0.0, "exponent": 1.0},
        "right": {"type": "constant", "value": 0.5}}
    assert lrjax.to_config(lrjax.exponential(1.0, 0.5, 10))["schedule"]["end"] is None


def test_numbers_are_python_numbers_that_convert_back_exactly():
    s = lrjax.linear(0.1, 1 / 3, 2**31 - 1)
    node = lrjax.to_config(s)["schedule"]
    assert node["init"] == 0.1 and type(node["init"]) is float  # float32(0.1) written as 0.1
    assert node["end"] == 0.33333334
    assert node["steps"] == 2**31 and type(node["steps"]) is int  # float32 rounds 2**31 - 1 up; the leaf is what is written
    assert_same_tree(lrjax.from_config(lrjax.to_config(s)), s)


def test_from_fn_has_no_config_and_the_error_names_where_it_is():
    def rsqrt(t, a):
        return a / jnp.sqrt(t + 1)

    with pytest.raises(ValueError, match=r"to_config: schedule is from_fn\(rsqrt, \.\.\.\), which holds a Python function"):
        lrjax.to_config(lrjax.from_fn(rsqrt, a=1.0))
    nested = lrjax.join([1.0, lrjax.warmup(lrjax.from_fn(rsqrt, a=1.0), 5)], [10])
    with pytest.raises(ValueError, match=r"to_config: schedule.schedules\[1\].schedule is from_fn\(rsqrt"):
        lrjax.to_config(nested)


def test_traced_leaves_have_no_config():
    with pytest.raises(ValueError, match=r"to_config: schedule.init is traced; write configs outside jit"):
        jax.jit(lambda p: lrjax.to_config(lrjax.cosine(p, 10)) and p)(1.0)


def test_plateau_controllers_round_trip():
    p = lrjax.plateau(mode="max", factor=0.5, patience=3, threshold_mode="abs")
    assert_same_tree(through_json(p), p)


BAD = [
    ([], r"from_config: expected a dict, got list"),
    ({"version": 1, "schedule": {}}, r"not an lrjax config: format must be 'lrjax', got None"),
    ({"format": "lrjax", "version": 2, "schedule": {}}, r"reads config version 1, got version 2"),
    ({"format": "lrjax", "version": "1", "schedule": {}}, r"got version '1'"),
    ({"format": "lrjax", "version": 1}, r"the config has no 'schedule' entry"),
    ({"format": "lrjax", "version": 1, "schedule": {}, "extra": 1}, r"unknown entries \['extra'\]"),
    ({"format": "lrjax", "version": 1, "schedule": {"init": 1.0}}, r"at schedule: expected a schedule node"),
    ({"format": "lrjax", "version": 1, "schedule": {"type": "cosinus"}}, r"at schedule: unknown type 'cosinus'"),
    ({"format": "lrjax", "version": 1, "schedule": {"type": "cosine", "init": 1.0}},
     r"at schedule: cosine: missing a required argument: 'steps'"),
    ({"format": "lrjax", "version": 1, "schedule": {"type": "warmup", "steps": 5,
                                                     "schedule": {"type": "cosine", "init": 1.0, "steps": -1}}},
     r"at schedule.schedule: cosine: steps must be a finite number >= 0, got -1"),
    ({"format": "lrjax", "version": 1, "schedule": {"type": "from_fn"}}, r"at schedule: from_fn: missing a required argument: 'fn'"),
    ({"format": "lrjax", "version": 1, "schedule": {"type": "constant", "value": 1.0}, "batch_shape": [0]},
     r"batch_shape must be a list of positive ints, got \[0\]"),
]


@pytest.mark.parametrize("config, message", BAD, ids=[m[:30] for _, m in BAD])
def test_bad_configs_raise_naming_the_problem(config, message):
    with pytest.raises(ValueError, match=r"^(from_config: )?.*" + message):
        lrjax.from_config(config)


def test_a_bad_batch_member_is_named():
    config = lrjax.to_config(lrjax.stack([lrjax.cosine(1.0, 10), lrjax.cosine(2.0, 20)]))
    config["schedule"]["steps"] = [10, -20]
    with pytest.raises(ValueError, match=r"at schedule \(batch index \[1\]\): cosine: steps must be a finite number >= 0"):
        lrjax.from_config(config)
