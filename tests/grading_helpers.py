"""Helpers shared by the grading tests: copies of the reference as a learner would paste them."""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap


def reference_copy(func, name: str | None = None) -> str:
    """The source a learner would paste to copy ``func``: it and the helpers it calls.

    Helpers are followed through each function's globals, into other anncourse
    modules too, with the module-level constants they read.  With ``name`` the
    function itself is renamed (its helpers keep theirs).  The result runs on
    its own with NumPy alone.
    """
    funcs, consts, queue = [], {}, [func]
    while queue:
        f = queue.pop(0)
        if f in funcs:
            continue
        funcs.append(f)
        node = ast.parse(textwrap.dedent(inspect.getsource(f)))
        module = sys.modules[f.__module__]
        assigns = {t.id: n for n in ast.parse(inspect.getsource(module)).body
                   if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                value = f.__globals__.get(sub.id)
                if inspect.isfunction(value) and value.__module__.startswith("anncourse"):
                    queue.append(value)
                elif sub.id in assigns and sub.id not in consts:
                    consts[sub.id] = ast.unparse(assigns[sub.id])
    parts = ["import numpy as np"] + list(consts.values())
    for f in reversed(funcs):
        source = textwrap.dedent(inspect.getsource(f))
        if f is func and name:
            source = source.replace(f"def {f.__name__}(", f"def {name}(", 1)
        parts.append(source)
    return "\n\n".join(parts)


def with_ellipsis(source: str, name: str) -> str:
    """``source`` with a bare ``...`` added as the first statement of ``name``'s body."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            node.body.insert(0, ast.Expr(ast.Constant(Ellipsis)))
    return ast.unparse(tree)


def fill_corpus(code: str, course, func) -> str:
    """Replace the corpus placeholders with the course path and copies of ``func``."""
    copy = reference_copy(func)
    out = code.replace("{COURSE}", str(course))
    out = out.replace("{REFERENCE_COPY_INDENTED}", textwrap.indent(copy, "    "))
    out = out.replace("{REFERENCE_COPY_ELLIPSIS}", with_ellipsis(copy, func.__name__))
    out = out.replace("{REFERENCE_COPY}", copy)
    while "{REFERENCE_COPY_AS:" in out:
        start = out.index("{REFERENCE_COPY_AS:")
        end = out.index("}", start)
        out = out[:start] + reference_copy(func, out[start + 19:end]) + out[end + 1:]
    return out
