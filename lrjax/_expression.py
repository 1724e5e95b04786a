"""The expression syntax of schedules: `repr` writes it and `parse` reads it back.

An expression is a call of lrjax constructors with literal arguments, e.g.
``warmup(cosine(init=0.001, steps=10000), steps=500)``, combined with
``+ - * /`` and numbers. `parse` reads it with Python's `ast` and builds only
what it names: no `eval`, no attribute access, no imports.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any

from ._registry import KINDS, UNWRITABLE
from ._schedule import Schedule
from ._tree import Tree

#: Longest text `parse` reads, in characters.
MAX_LENGTH = 1_000_000
#: Deepest nesting of calls, operators and lists `parse` reads, counted as `from_config` counts nodes.
MAX_DEPTH = 64
#: Levels of numbers, lists of numbers and signs allowed below the deepest call, as a config holds
#: them in its deepest node (so that ``parse(repr(s))`` reads every tree `from_config` builds).
_VALUE_LEVELS = 16
#: Largest magnitude of an integer literal (beyond it, float32 and int64 steps lose meaning).
MAX_INT = 2**63


def construct(name: str, args: list[Any], kwargs: dict[str, Any]) -> Tree:
    """``KINDS[name](*args, **kwargs)``, with a ValueError for arguments it does not take."""
    kind = KINDS[name]
    signature = inspect.signature(kind)
    accepted = [p.name for p in signature.parameters.values() if p.kind != p.POSITIONAL_ONLY]
    for key in kwargs:  # named first: a misspelled keyword also leaves its argument missing
        if key not in accepted:
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; it takes {', '.join(accepted)}"
            raise ValueError(f"{name}: no argument named {key!r}{hint}")
    try:
        signature.bind(*args, **kwargs)
    except TypeError as e:
        keyword_only = [p.name for p in signature.parameters.values() if p.kind == p.KEYWORD_ONLY and p.default is p.empty]
        missing = [n for n in keyword_only if n not in kwargs]
        hint = f" (durations, rates and options are keyword-only: {missing[0]}=...)" if missing and args else ""
        raise ValueError(f"{name}: {e}{hint}") from None
    return kind(*args, **kwargs)


def names() -> list[str]:
    """The names an expression may call."""
    return [n for n in KINDS if n not in UNWRITABLE]


def parse(text: str) -> Tree:
    """Reads an lrjax expression, such as ``repr`` prints, back into a schedule.

    The expression may call any public lrjax constructor or preset
    (``cosine``, ``warmup``, ``join``, ``sgdr``, ..., and ``keras.PolynomialDecay``,
    the one compat kind without a native equivalent) with positional or keyword arguments that are
    numbers, strings, booleans, ``None``, lists or schedules, and may combine
    schedules and numbers with ``+ - * /``. Nothing else is allowed: no
    attribute access, no other names, no lambdas, no imports. It is read with
    Python's `ast`, never evaluated, so untrusted text is safe to parse.
    ``parse(repr(s))`` rebuilds ``s`` (leaves take the default float dtype).

    Raises `ValueError` naming the column and text of the first thing it cannot
    read, and passes on the constructors' own `ValueError`.

    >>> import lrjax
    >>> s = lrjax.parse("warmup(cosine(1e-3, steps=10000), steps=500)")
    >>> s
    warmup(cosine(init=0.001, steps=10000), steps=500)
    >>> print(s(500))
    0.001
    >>> lrjax.parse("0.5 * cosine(1.0, steps=100) + 0.1")
    ((0.5 * cosine(init=1.0, steps=100)) + 0.1)
    """
    if not isinstance(text, str):
        raise ValueError(f"parse: expected an expression (a str), got {type(text).__name__}")
    source = text.strip()
    if len(source) > MAX_LENGTH:
        raise ValueError(f"parse: the expression is {len(source)} characters long, more than the {MAX_LENGTH} allowed")
    bad = next((i for i, c in enumerate(source) if not c.isprintable() and not c.isspace() or "\ud800" <= c <= "\udfff"), None)
    if bad is not None:
        raise ValueError(f"parse: the expression holds a character that is not printable text, {source[bad]!r} at column {bad + 1}")
    try:
        with warnings.catch_warnings():
            # Python warns about some text it then reads or rejects ("1if", "'\\d'"): the result
            # is the same whatever the caller's warning filters, and the command prints one line.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            body = ast.parse(source, mode="eval").body
    except SyntaxError as e:
        raise ValueError(f"parse: invalid syntax at column {e.offset}: {e.msg}, in {_clip(source)!r}") from None
    except (RecursionError, MemoryError):
        raise ValueError("parse: the expression is nested too deeply") from None
    result = _Reader(source).read(body, 0)
    if not isinstance(result, Tree):
        raise ValueError(f"parse: {_clip(source)!r} is not a schedule (it reads as {result!r})")
    return result


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


_FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Lambda: "a lambda",
    ast.Subscript: "indexing",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.IfExp: "a conditional expression",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment",
    ast.Starred: "unpacking",
    ast.ListComp: "a comprehension",
    ast.GeneratorExp: "a generator",
}


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
#: Schedule operators build `add`/`multiply` trees; numbers combine as Python numbers.
_COMBINE: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


class _Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, node: ast.AST, problem: str) -> ValueError:
        segment = ast.get_source_segment(self.source, node) or ""
        line = f"line {node.lineno}, " if "\n" in self.source else ""
        return ValueError(f"parse: {problem} (at {line}column {node.col_offset + 1}: {_clip(segment)!r})")

    def read(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH + _VALUE_LEVELS or (depth > MAX_DEPTH and isinstance(node, (ast.Call, ast.BinOp))):
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.read(e, depth + 1) for e in node.elts]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.read(node.operand, depth + 1)
            if not _is_number(value) and not isinstance(value, Schedule):
                raise self.fail(node, "a sign applies to numbers and schedules only")
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return self.arithmetic(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Name):
            hint = "; call it with its arguments" if node.id in names() else ""
            raise self.fail(node, f"unknown name {node.id!r}{hint}")
        what = _FORBIDDEN.get(type(node), f"{type(node).__name__} syntax")
        raise self.fail(node, f"{what} is not allowed")

    def literal(self, node: ast.Constant) -> Any:
        value = node.value
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and abs(value) < MAX_INT:
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        if isinstance(value, (int, float)):
            raise self.fail(node, "number too large")
        raise self.fail(node, f"a {type(value).__name__} literal is not allowed")

    def arithmetic(self, node: ast.BinOp, depth: int) -> Any:
        symbol = _OPERATORS.get(type(node.op))
        if symbol is None:
            raise self.fail(node, f"the operator {type(node.op).__name__} is not allowed (only + - * /)")
        left, right = self.read(node.left, depth + 1), self.read(node.right, depth + 1)
        if _is_number(left) and _is_number(right):
            if symbol == "/" and right == 0:
                raise self.fail(node, "division by zero")
            try:
                result = _COMBINE[symbol](left, right)
            except OverflowError:
                raise self.fail(node, "number too large") from None
            if (isinstance(result, int) and abs(result) >= MAX_INT) or (isinstance(result, float) and not math.isfinite(result)):
                raise self.fail(node, "number too large")
            return result
        if not all(isinstance(x, Schedule) or _is_number(x) for x in (left, right)):
            raise self.fail(node, f"{symbol} combines schedules and numbers only")
        if symbol == "/" and isinstance(right, Schedule):
            raise self.fail(node, "dividing by a schedule is not supported")
        try:
            return _COMBINE[symbol](left, right)
        except ValueError as e:
            raise self.fail(node, str(e)) from None

    def call(self, node: ast.Call, depth: int) -> Tree:
        name = _called_name(node.func)
        if name is None:
            what = _FORBIDDEN.get(type(node.func), "calling the result of an expression")
            raise self.fail(node.func, f"{what} is not allowed")
        if name in UNWRITABLE:
            raise self.fail(node, f"{name} wraps a Python function, which an expression cannot name")
        if name not in KINDS:
            close = difflib.get_close_matches(name, names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(node.func, f"unknown schedule {name!r}{hint}")
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.fail(a, "unpacking is not allowed")
        seen = set()
        for k in node.keywords:
            if k.arg is None:
                raise self.fail(k.value, "unpacking is not allowed")
            if k.arg in seen:
                raise self.fail(k, f"keyword argument {k.arg!r} repeated")
            seen.add(k.arg)
        args = [self.read(a, depth + 1) for a in node.args]
        kwargs = {k.arg: self.read(k.value, depth + 1) for k in node.keywords if k.arg is not None}
        try:
            return construct(name, args, kwargs)
        except ValueError as e:
            raise self.fail(node, str(e)) from None


def _called_name(func: ast.AST) -> str | None:
    """``cosine`` for ``cosine(...)``, ``keras.PolynomialDecay`` for a compat kind; None for anything else."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and f"{func.value.id}.{func.attr}" in KINDS:
        return f"{func.value.id}.{func.attr}"
    return None


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)
