"""The expression syntax: `repr` writes an lrjax expression and `lrjax.parse` reads it back, safely."""

import os
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lrjax

from .cases import CASES
from .helpers import assert_same_tree

PARSEABLE = [c for c in CASES if c.id != "from_fn"]


@pytest.mark.parametrize("case", PARSEABLE, ids=repr)
def test_parse_of_repr_rebuilds_every_kind(case):
    for kwargs in (case.kwargs, {**case.kwargs, **case.alt}):
        s = case.build(**kwargs)
        assert_same_tree(lrjax.parse(repr(s)), s)


@pytest.mark.parametrize("case", [c for c in PARSEABLE if "piecewise" not in c.id and "multistep" not in c.id and "join" not in c.id],
                         ids=repr)
def test_parse_of_repr_rebuilds_stacked_schedules_with_scalar_leaves(case):
    s = lrjax.stack([case.build(), case.build(**case.alt)])
    assert_same_tree(lrjax.parse(repr(s)), s)


def test_repr_is_the_short_expression():
    s = lrjax.warmup(lrjax.cosine(1e-3, steps=10_000), steps=500)
    assert repr(s) == "warmup(cosine(init=0.001, steps=10000), steps=500)"
    assert repr(lrjax.cosine(1e-3, 1e-5, steps=10_000)) == "cosine(init=0.001, end=1e-05, steps=10000)"
    assert repr(lrjax.piecewise_constant([1, 0.5, 0.1], boundaries=[10, 20.5])) == (
        "piecewise_constant(values=[1.0, 0.5, 0.1], boundaries=[10, 20.5])"
    )
    assert repr(lrjax.exponential(1.0, rate=0.5, steps=10, staircase=True)) == (
        "exponential(init=1.0, rate=0.5, steps=10, staircase=True)"
    )
    assert repr(lrjax.wsd(1.0, warmup_steps=10, stable_steps=80, decay_steps=10, shape="sqrt")) == (
        "wsd(peak=1.0, warmup_steps=10, stable_steps=80, decay_steps=10, shape='sqrt')"
    )
    assert repr(lrjax.join([1.0, lrjax.constant(0.5)], boundaries=[10])) == (
        "join([constant(value=1.0), constant(value=0.5)], boundaries=[10])"
    )
    assert repr(lrjax.clip(lrjax.linear(0, 1, steps=10), max=0.8)) == "clip(linear(init=0.0, end=1.0, steps=10), max=0.8)"
    # Presets keep their own name.
    assert repr(lrjax.sgdr(1.0, period=10)) == "sgdr(peak=1.0, period=10)"
    assert repr(lrjax.warmup_cosine(1e-3, warmup_steps=100, total_steps=1000)) == "warmup_cosine(peak=0.001, warmup_steps=100, total_steps=1000)"
    assert repr(lrjax.piecewise_constant([1.0, 0.5], boundaries=[16_777_217])) == "piecewise_constant(values=[1.0, 0.5], boundaries=[16777217])"


def test_repr_writes_numbers_as_the_shortest_decimal_of_the_leaf():
    assert repr(lrjax.constant(0.1)) == "constant(value=0.1)"  # float32(0.1), not 0.10000000149011612
    assert repr(lrjax.linear(1 / 3, 2.5, steps=1e9)) == "linear(init=0.33333334, end=2.5, steps=1000000000)"
    assert repr(lrjax.shift(lrjax.constant(1.0), steps=1000.3)) == "shift(constant(value=1.0), steps=1000.3)"
    s = lrjax.constant(np.float32(np.nextafter(np.float32(0.1), np.float32(1))))
    assert lrjax.parse(repr(s)).value == s.value


def test_repr_of_arithmetic():
    s, c = lrjax.cosine(1.0, steps=10), lrjax.constant(2.0)
    assert repr(0.5 * s + 0.1) == "((0.5 * cosine(init=1.0, steps=10)) + 0.1)"
    assert repr(s - 0.1) == "(cosine(init=1.0, steps=10) + -0.1)"
    assert repr(-s) == "(-1.0 * cosine(init=1.0, steps=10))"
    assert repr(s / 4) == "(cosine(init=1.0, steps=10) * 0.25)"
    assert repr(c * c) == "(constant(value=2.0) * constant(value=2.0))"  # a bare 2.0 * 2.0 would not be a schedule
    for t in (0.5 * s + 0.1, s - 0.1, -s, s / 4, c * c, s * s - s / 3):
        assert_same_tree(lrjax.parse(repr(t)), t)


def test_parse_reads_the_forms_people_write():
    direct = lrjax.warmup(lrjax.cosine(1e-3, steps=10_000), steps=500)
    for text in [
        "warmup(cosine(init=1e-3, steps=10000), steps=500)",
        "warmup(cosine(0.001, steps=10000), steps=500)",
        "  warmup(schedule=cosine(init=1e-3, steps=1e4), steps=500.0, init=0, shape='linear', prefix=True)\n",
        "warmup(cosine(init=1e-3, steps=2 * 5000), steps=1000 / 2)",
        'warmup(\n    cosine(init=1e-3, steps=10000),\n    steps=500,\n)',
    ]:
        assert_same_tree(lrjax.parse(text), direct)
    assert_same_tree(lrjax.parse("warmup_cosine(1e-3, warmup_steps=500, total_steps=10500)"),
                     lrjax.warmup_cosine(1e-3, warmup_steps=500, total_steps=10500))
    assert_same_tree(lrjax.parse("join((1.0, linear(1, 0, steps=10)), boundaries=(5,))"),
                     lrjax.join([1.0, lrjax.linear(1, 0, steps=10)], boundaries=[5]))
    assert_same_tree(lrjax.parse("+cosine(1, steps=10) - -0.5"), lrjax.cosine(1, steps=10) - (-0.5))
    assert_same_tree(lrjax.parse("plateau(factor=0.5)"), lrjax.plateau(factor=0.5))


REJECTED = [
    ("os.system('ls')", r"attribute access is not allowed \(at column 1: 'os.system'\)"),
    ("__import__('os').system('ls')", r"attribute access is not allowed"),
    ("cosine(1, steps=10).steps", r"attribute access is not allowed"),
    ("add(1, 2)", r"unknown schedule 'add'"),
    ("multiply(1, 2)", r"unknown schedule 'multiply'"),
    ("PolynomialDecay(1.0, 10)", r"unknown schedule 'PolynomialDecay'"),
    ("torch.OneCycleLR(1.0, 10)", r"attribute access is not allowed"),
    ("print(1)", r"unknown schedule 'print' \(at column 1: 'print'\)"),
    ("cosin(1, 10)", r"unknown schedule 'cosin' \(did you mean 'cosine'\?\)"),
    ("eval('1')", r"unknown schedule 'eval'"),
    ("_decay_steps(1, 2)", r"unknown schedule '_decay_steps'"),
    ("cosine", r"unknown name 'cosine'; call it with its arguments"),
    ("warmup(x, 10)", r"unknown name 'x' \(at column 8: 'x'\)"),
    ("lambda t: t", r"a lambda is not allowed"),
    ("from_fn(f, a=1)", r"from_fn wraps a Python function"),
    ("cosine(1, steps=10)[0]", r"indexing is not allowed"),
    ("cosine(1, steps=10) if True else 1", r"a conditional expression is not allowed"),
    ("[t for t in ()]", r"a comprehension is not allowed"),
    ("cosine(*[1, 10])", r"unpacking is not allowed \(at column 8: '\*\[1, 10\]'\)"),
    ("cosine(**{'init': 1})", r"unpacking is not allowed"),
    ("cosine({'a': 1}, steps=10)", r"a dict is not allowed"),
    ("cosine(f'{1}', steps=10)", r"an f-string is not allowed"),
    ("cosine(b'1', steps=10)", r"a bytes literal is not allowed"),
    ("cosine(1j, steps=10)", r"a complex literal is not allowed"),
    ("cosine(1, steps=10) ** 2", r"the operator Pow is not allowed \(only \+ - \* /\)"),
    ("cosine(1, steps=10) @ 2", r"the operator MatMult is not allowed"),
    ("1 / cosine(1, steps=10)", r"dividing by a schedule is not supported"),
    ("cosine(1, steps=10) / 0", r"divide: divisor must be a non-zero number"),
    ("cosine(1, steps=10 / 0)", r"division by zero \(at column 17: '10 / 0'\)"),
    ("[1, 2] * cosine(1, steps=10)", r"\* combines schedules and numbers only"),
    ("cosine(1, steps=10) + 'a'", r"\+ combines schedules and numbers only"),
    ("cosine(1, steps=1e999)", r"number too large \(at column 17: '1e999'\)"),
    ("cosine(1, steps=" + "9" * 30 + ")", r"number too large"),
    ("cosine(1, steps=10) < 1", r"a comparison is not allowed"),
    ("cosine(1, 10", r"invalid syntax at column"),
    ("cosine(1, steps=10))", r"invalid syntax"),
    ("", r"invalid syntax"),
    ("3", r"'3' is not a schedule \(it reads as 3\)"),
    ("[cosine(1, steps=10)]", r"is not a schedule"),
    ("cosine(1)", r"cosine: missing a required argument: 'steps' \(durations, rates and options are keyword-only: steps=\.\.\.\) \(at column 1: 'cosine\(1\)'\)"),
    ("cosine(1, steps=10, foo=3)", r"cosine: no argument named 'foo'; it takes init, end, steps, power"),
    ("cosine(init=1, steps=10, init=2)", r"keyword argument 'init' repeated \(at column 26: 'init=2'\)"),
    ("cosine(1, 0, 10)", r"cosine: too many positional arguments"),
    ("cosine(1, steps=-5)", r"cosine: steps must be a finite number >= 0, got -5 \(at column 1"),
    ("warmup(cosine(1, steps=10), steps=5, shape='foo')", r"warmup: shape must be one of 'linear', 'cosine', 'exponential', got 'foo'"),
    ("warmup(cosine(1, steps=10), steps=5, prefix=1)", r"warmup: prefix must be a Python bool"),
    ("warmup(cosine(1, steps=10), 5)", r"warmup: too many positional arguments"),
    ("join([1.0, 2.0], boundaries=[5, 10])", r"join: boundaries must have 1 entries"),
    ("cosine([1, 2], steps=[3, 4, 5])", r"cosine: batched arguments must have one batch shape, got init \(2,\), steps \(3,\)"),
    ("cosine([], steps=3)", r"cosine: init must be a number, got an empty array"),
    ("warmup(" * 70 + "constant(1.0)" + ", steps=1)" * 70, r"nesting deeper than 64 levels"),
    ("(" * 300 + "1" + ")" * 300, r"invalid syntax|nested too deeply"),
]


@pytest.mark.parametrize("text, message", REJECTED, ids=[t[:40] for t, _ in REJECTED])
def test_parse_rejects_with_a_message_pointing_at_the_problem(text, message):
    with pytest.raises(ValueError, match=r"^parse: .*" + message) as info:
        lrjax.parse(text)
    assert "\n" not in str(info.value)


def test_parse_names_the_line_in_multi_line_text():
    with pytest.raises(ValueError, match=r"unknown schedule 'cosin' .*\(at line 2, column 5: 'cosin'\)"):
        lrjax.parse("warmup(\n    cosin(1, steps=10),\n    steps=5)")


def test_parse_never_runs_code(tmp_path):
    target = tmp_path / "pwned"
    for text in [f"__import__('os').system('touch {target}')", f"open('{target}', 'w')",
                 f"exec(\"open('{target}', 'w')\")", f"cosine(1, steps=10).__class__.__init__.__globals__['os'].system('touch {target}')"]:
        with pytest.raises(ValueError):
            lrjax.parse(text)
    assert not os.path.exists(target)


def test_parse_rejects_huge_input_before_reading_it():
    with pytest.raises(ValueError, match=r"is 1000001 characters long, more than the 1000000 allowed"):
        lrjax.parse("1" * 1_000_001)
    with pytest.raises(ValueError, match=r"expected an expression \(a str\), got int"):
        lrjax.parse(3)


def test_parse_reads_every_tree_from_config_builds():
    # Found by tests/test_fuzz.py: 64 nested nodes load from a config, but parse counted the
    # numbers, lists and signs of the deepest node as more levels and rejected the repr.
    s = lrjax.stack([lrjax.cosine(-1.0, steps=3), lrjax.cosine(-2.0, steps=3)])
    for _ in range(64):
        s = lrjax.shift(s, steps=1)
    assert_same_tree(lrjax.from_config(lrjax.to_config(s)), s)
    assert_same_tree(lrjax.parse(repr(s)), s)
    with pytest.raises(ValueError, match="deeper than 64 levels"):
        lrjax.parse(repr(lrjax.shift(s, steps=1)))
    with pytest.raises(ValueError, match="deeper than 64 levels"):
        lrjax.from_config(lrjax.to_config(lrjax.shift(s, steps=1)))


def test_parse_warns_about_nothing():
    # Found by tests/test_fuzz.py: Python's SyntaxWarning for "0inf5" went to stderr, so
    # `lrjax show` printed two lines (and parse raised another error under warnings as errors).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="invalid syntax"):
            lrjax.parse("tanh(1.0, steps=0inf5)")
        with pytest.raises(ValueError, match="shape must be one of"):
            lrjax.parse("warmup(1.0, steps=1, shape='\\d')")
    assert caught == []


def test_parse_reads_long_piecewise_schedules():
    s = lrjax.piecewise_constant(np.linspace(1, 0, 1001), boundaries=np.arange(1, 1001) * 10)
    assert_same_tree(lrjax.parse(repr(s)), s)


def test_repr_of_traced_schedules_shows_the_tracer():
    seen = []
    jax.jit(lambda p: seen.append(repr(lrjax.cosine(p, steps=10))) or p)(1.0)
    assert seen[0].startswith("cosine(init=") and "Trace" in seen[0]  # JitTracer(...) or Traced<...>


def test_repr_of_from_fn_names_the_function():
    def rsqrt(t, a):
        return a / jnp.sqrt(t + 1)

    assert repr(lrjax.from_fn(rsqrt, a=2)) == "from_fn(rsqrt, a=2.0)"
