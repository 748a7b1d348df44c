"""Helpers shared by the grading tests: copies of the reference as a learner would paste them."""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap


def reference_copy(func, name: str | None = None) -> str:
    """The source a learner would paste to copy ``func``: it and the helpers it calls.

    With ``name`` the function itself is renamed (its helpers keep theirs).
    Module-level constants the helpers read are pasted too.
    """
    module = sys.modules[func.__module__]
    tree = ast.parse(inspect.getsource(module))
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    consts = {t.id: n for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name)}
    wanted, queue, names = [func.__name__], [defs[func.__name__]], []
    while queue:
        node = queue.pop()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in consts and sub.id not in names:
                names.append(sub.id)
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) \
                    and sub.func.id in defs and sub.func.id not in wanted:
                wanted.append(sub.func.id)
                queue.append(defs[sub.func.id])
    parts = ["import numpy as np"] + [ast.unparse(consts[n]) for n in names]
    for fname in reversed(wanted):
        source = textwrap.dedent(inspect.getsource(getattr(module, fname)))
        if fname == func.__name__ and name:
            source = source.replace(f"def {fname}(", f"def {name}(", 1)
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
