"""The public API as a whole: one argument convention, one word per concept, a
registry of exactly the public kinds, a case for each, and no import cycle."""

import ast
import inspect
import pathlib

import pytest

import lrjax
from lrjax._fields import param_of
from lrjax._registry import KINDS, OPERATORS, UNWRITABLE

from .cases import CASES

PACKAGE = pathlib.Path(lrjax.__file__).parent

#: Every argument name of a native constructor and what it means. A name may
#: not mean two things, and two names may not mean one thing.
VOCABULARY = {
    "value": "the constant value", "values": "the values of pieces or knots",
    "init": "the value at step 0", "end": "the value it ends on", "peak": "the highest value",
    "low": "the lower value of a cycle", "high": "the higher value of a cycle",
    "steps": "a length in steps", "warmup_steps": "a length in steps", "stable_steps": "a length in steps",
    "decay_steps": "a length in steps", "total_steps": "an end step", "up_steps": "a length in steps",
    "down_steps": "a length in steps", "steps_per_epoch": "a length in steps", "period": "a cycle's length in steps",
    "boundaries": "step positions", "mult": "the growth of a cycle's length",
    "factor": "a multiplier per interval, boundary or cycle", "rate": "a multiplier per `steps` (or a rate of inverse time)",
    "power": "an exponent", "pct_start": "a fraction of `steps`", "div": "a divisor of `peak`",
    "final_div": "a divisor of the start value", "shape": "the interpolation shape", "mode": "a policy",
    "three_phase": "a flag", "staircase": "a flag", "prefix": "a flag", "limit": "a number of cycles",
    "lower": "the tanh argument at 0", "upper": "the tanh argument at `steps`", "seed": "a random seed",
    "bound": "a truncation bound", "weight": "a blend weight", "min": "a lower clip", "max": "an upper clip",
    "schedule": "a wrapped schedule", "schedules": "wrapped schedules", "first": "a wrapped schedule",
    "second": "a wrapped schedule", "fn": "a Python function", "hyperparams": "from_fn's leaves",
    "patience": "a count of metrics", "threshold": "a margin", "threshold_mode": "a policy",
    "cooldown": "a count of metrics", "min_scale": "a lower bound of the scale", "eps": "a minimal change",
}
#: Names other libraries (and lrjax 0.1) use for concepts that have one name here.
SYNONYMS = {"exponent", "every", "timescale", "decay_shape", "gamma", "decay", "milestones", "decay_rate",
            "alpha", "transition_steps", "warmup", "total", "num_steps", "interval"}
#: What may be given by position: the schedules a combinator wraps and the values a curve visits.
POSITIONAL = {"schedule", "schedules", "first", "second", "init", "end", "peak", "low", "high", "value", "values", "fn"}

PUBLIC_KINDS = [k for name, k in KINDS.items() if "." not in name]


@pytest.mark.parametrize("kind", PUBLIC_KINDS, ids=lambda k: k.name)
def test_every_public_kind_is_exported_under_its_name(kind):
    assert getattr(lrjax, kind.name) is kind


def test_every_public_schedule_of_the_package_is_registered():
    exported = {n for n, v in vars(lrjax).items() if isinstance(v, type) and issubclass(v, lrjax._tree.Tree) and v.__module__.startswith("lrjax._")}
    assert exported - {"Schedule", "Preset"} == {k.name for k in PUBLIC_KINDS}  # the two abstract bases build nothing


def test_argument_convention_and_vocabulary_over_every_public_constructor():
    position: dict[str, int] = {}
    for kind in PUBLIC_KINDS:
        params = inspect.signature(kind).parameters
        for i, (name, p) in enumerate(params.items()):
            assert name in VOCABULARY, f"{kind.name}: {name!r} is not in the vocabulary"
            assert name not in SYNONYMS
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY):
                assert name in POSITIONAL, f"{kind.name}: {name!r} must be keyword-only"
                assert position.setdefault(name, i) == i, f"{kind.name}: {name!r} at position {i}, elsewhere at {position[name]}"
        for f in kind.declared():
            param = param_of(f)
            if param.kind in ("duration", "durations", "choice", "flag"):
                assert params[f.name].kind == inspect.Parameter.KEYWORD_ONLY, f"{kind.name}.{f.name}"


def test_names_in_the_case_table_cover_every_public_kind():
    """Adding a kind without a test case fails here: every public kind is built by some case."""
    built = set()

    def walk(tree):
        built.add(type(tree).name)
        for f in tree.declared():
            x = getattr(tree, f.name)
            for child in x if isinstance(x, (tuple, list)) else [x]:
                if isinstance(child, lrjax._tree.Tree):
                    walk(child)
            if isinstance(tree, lrjax.Preset):
                walk(tree.compose())

    for case in CASES:
        walk(case.build())
    missing = {k.name for k in PUBLIC_KINDS} - built - {"plateau"}  # the plateau controller has tests of its own
    assert not missing, f"public kinds without a case in tests/cases.py: {sorted(missing)}"


@pytest.mark.parametrize("text", ["add(1, 2)", "multiply(1, 2)", "PolynomialDecay(1.0, 10)", "from_fn(1)", "Sum(1, 2)"])
def test_parse_accepts_only_public_constructors(text):
    with pytest.raises(ValueError):
        lrjax.parse(text)


def test_the_compat_kind_is_named_with_its_module():
    s = lrjax.compat.keras.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.1, power=2.0, cycle=True)
    assert repr(s).startswith("keras.PolynomialDecay(")
    assert repr(lrjax.parse(repr(s))) == repr(s)
    assert set(OPERATORS) == {"+", "*"} and UNWRITABLE == {"from_fn"}


def _imports(path: pathlib.Path) -> set[str]:
    """The lrjax modules a module imports, at module level and inside functions."""
    module = "lrjax." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = (base + ("." + node.module if node.module else "")) if node.level else (node.module or "")
            if target.startswith("lrjax"):
                names = [target + "." + a.name for a in node.names]
                found |= {n for n in names if (PACKAGE / (n.removeprefix("lrjax.").replace(".", "/") + ".py")).exists()} or {target}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lrjax")}
    return {m.removesuffix(".__init__") for m in found}


def test_no_import_cycle_in_the_package():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = "lrjax." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        graph[name.removesuffix(".__init__")] = _imports(path)
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    # The package __init__ files only re-export: the layers are the modules they import.
    for init in [m for m in graph if m in ("lrjax", "lrjax.compat")]:
        for deps in graph.values():
            deps.discard(init)
    state: dict[str, int] = {}

    def visit(m, trail):
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail + [m, d]))
            if d not in state:
                visit(d, trail + [m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert "lrjax._registry" in graph["lrjax._expression"] and "lrjax._arith" in graph["lrjax._tree"]  # the graph is read
