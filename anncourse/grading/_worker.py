"""The process that holds a learner's code while it is graded.

This file runs inside the sandbox with nothing but the standard library and
NumPy: it must not import anncourse (which is not there).  It reads requests
as JSON lines on stdin and answers on file descriptor 3, so that whatever the
learner's code prints (stdout and stderr go to /dev/null) cannot be mistaken
for an answer.  It is not trusted: the grader treats every answer as data,
compares it with values computed outside, and ignores any line that does not
carry the id of the request it is waiting for.

Requests (one JSON object a line, each with a random ``id`` echoed back):

``{"op": "load", "cells": [{"source": str, "mode": "all" | "definitions"}, ...],
"snapshots": [{"after": k, "id": str, "names": [str, ...]}, ...]}``
    Run the cells in order in one namespace.  After cell ``k`` has run, note
    what each of ``names`` is bound to: a test cell checks the function as it
    was when the notebook reached that test cell.
``{"op": "call", "target": [snapshot id, name], "args": [...], "kwargs": {...},
"driver": null | {"source": str, "name": str}}``
    Call the noted function, or run trusted driver code on it (a scenario:
    the driver builds the learner's object, calls its methods, returns data).

Answers: ``{"id": ..., "ok": true, ...}`` or ``{"id": ..., "ok": false,
"error": "...", "kind": "..."}``.
"""
import __future__
import ast
import builtins
import copy
import json
import os
import sys
import traceback

# Cells outside the answer cells run in part: imports, functions, classes and
# constants are what graded code can rely on; plots, prints and training runs
# are not needed to grade and cost time.
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUTURE_FLAGS = {name: getattr(__future__, name).compiler_flag
                 for name in __future__.all_feature_names}
# Cell magics whose body is ordinary Python that should still run.
_RUN_BODY = {"time", "timeit", "capture", "prun"}


def _is_definition(statement):
    if isinstance(statement, _DEFINITIONS):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        value = statement.value
        if isinstance(value, (ast.Name, ast.Attribute)):
            return True  # an alias: mse = my_mse
        try:
            ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
        return True
    return False


class _Shell:
    """Stands in for IPython's ``get_ipython()``: magics become no-ops."""

    def __init__(self, namespace):
        self.user_ns = namespace

    def run_line_magic(self, name, line, *args, **kwargs):
        return None

    def run_cell_magic(self, name, line, body, *args, **kwargs):
        if name in _RUN_BODY:
            exec(compile(body, "<cell magic>", "exec"), self.user_ns)
        return None

    def getoutput(self, command, *args, **kwargs):
        return []

    def system(self, command, *args, **kwargs):
        return 0

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _encode(value, depth=0):
    import numpy as np

    if depth > 20:
        raise TypeError("a value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and value.dtype != np.float64 and value.dtype != np.float32:
            value = value.astype(np.float64)  # longdouble, float16: compare as float64
        if value.dtype.kind not in "biuf":
            raise TypeError(f"an array of dtype {value.dtype}")
        if value.size > 2_000_000:
            raise TypeError(f"an array of {value.size} numbers, far more than any answer needs")
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return _encode(int(value), depth + 1)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (list, tuple)):
        if len(value) > 100_000:
            raise TypeError("a list far longer than any answer needs")
        return {"__seq__": [_encode(v, depth + 1) for v in value],
                "tuple": isinstance(value, tuple)}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a dict whose keys are not all strings")
        return {"__dict__": {k: _encode(v, depth + 1) for k, v in value.items()}}
    raise TypeError(f"a {type(value).__name__}")


def _decode(value):
    import numpy as np

    if isinstance(value, dict) and "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=value["dtype"]).reshape(value["shape"])
    if isinstance(value, dict) and "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if isinstance(value, dict) and "__dict__" in value:
        return {k: _decode(v) for k, v in value["__dict__"].items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _same(before, after):
    """Whether an argument still holds what it held before the call."""
    import numbers

    import numpy as np

    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")))
    if isinstance(before, (list, tuple)):
        return (type(before) is type(after) and len(before) == len(after)
                and all(_same(b, a) for b, a in zip(before, after)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and before.keys() == after.keys()
                and all(_same(before[k], after[k]) for k in before))
    if isinstance(before, (numbers.Number, np.generic)):
        # An element of a list it was given: a list of lists changed in place
        # shows here, since the copy taken before the call keeps the old number.
        return type(after) is type(before) and (before == after or (before != before
                                                                    and after != after))
    return True


def _load(request, namespace):
    errors, snapshots = [], {}
    plan = {}
    for snap in request.get("snapshots", []):
        plan.setdefault(snap["after"], []).append(snap)
    for snap in plan.pop(-1, []):  # a test cell above every code cell
        snapshots[snap["id"]] = {name: namespace.get(name) for name in snap["names"]}
    flags = 0
    for i, cell in enumerate(request["cells"]):
        try:
            tree = ast.parse(cell["source"], f"<cell {i}>")
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            errors.append(f"cell {i}: {type(exc).__name__}: {exc}")
            tree = None
        if tree is not None:
            for statement in tree.body:
                if cell.get("mode") == "definitions" and not _is_definition(statement):
                    continue
                if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
                    for alias in statement.names:
                        flags |= _FUTURE_FLAGS.get(alias.name, 0)
                # Statement by statement: a teaching cell's failed import
                # (matplotlib, anncourse: not here) must not hide the
                # definitions after it.
                try:
                    code = compile(ast.Module([statement], []), f"<cell {i}>", "exec",
                                   flags=flags, dont_inherit=True)
                    exec(code, namespace)
                except BaseException as exc:  # SystemExit and KeyboardInterrupt too
                    errors.append(f"cell {i}, line {statement.lineno}: "
                                  f"{type(exc).__name__}: {exc}"[:500])
        for snap in plan.pop(i, []):
            snapshots[snap["id"]] = {name: namespace.get(name) for name in snap["names"]}
    for pending in plan.values():  # snapshots after the last cell
        for snap in pending:
            snapshots[snap["id"]] = {name: namespace.get(name) for name in snap["names"]}
    return errors, snapshots


def _describe(obj):
    code = getattr(obj, "__code__", None)
    if code is None and isinstance(obj, type):
        return {"defined": True, "callable": True, "origin": None, "kind": "class"}
    origin = None
    if code is not None and code.co_filename.startswith("<cell "):
        try:
            origin = [int(code.co_filename[6:-1]), code.co_firstlineno]
        except ValueError:
            origin = None
    return {"defined": obj is not None, "callable": callable(obj), "origin": origin,
            "kind": type(obj).__name__}


def main():
    answers = os.fdopen(3, "w", buffering=1)
    # The learner's prints go nowhere: a flood of output cannot fill a pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    shell = _Shell(namespace)
    namespace["get_ipython"] = lambda: shell
    builtins.display = lambda *args, **kwargs: None
    snapshots = {}
    for line in sys.stdin:
        request = json.loads(line)
        reply = {"ok": False, "kind": "worker", "error": "unknown request"}
        try:
            if request["op"] == "load":
                errors, snapshots = _load(request, namespace)
                reply = {"ok": True, "errors": errors,
                         "snapshots": {sid: {name: _describe(obj) for name, obj in names.items()}
                                       for sid, names in snapshots.items()}}
            elif request["op"] == "call":
                sid, name = request["target"]
                func = snapshots[sid][name]
                args = _decode(request["args"])
                kwargs = {k: _decode(v) for k, v in request["kwargs"].items()}
                before = copy.deepcopy((args, kwargs))
                driver = request.get("driver")
                try:
                    if driver:
                        scope = {"__name__": "anncourse_driver"}
                        exec(compile(driver["source"], "<driver>", "exec"), scope)
                        result = scope[driver["name"]](func, *args, **kwargs)
                    else:
                        result = func(*args, **kwargs)
                except NotImplementedError:
                    reply = {"ok": False, "kind": "not_implemented",
                             "error": "is not written yet: it still raises NotImplementedError"}
                except BaseException as exc:
                    reply = {"ok": False, "kind": "raised",
                             "error": f"raised {type(exc).__name__}: {exc}"[:2000]}
                else:
                    mutated = [i for i, (b, a) in enumerate(zip(before[0], args)) if not _same(b, a)]
                    mutated += [k for k in before[1] if not _same(before[1][k], kwargs[k])]
                    try:
                        reply = {"ok": True, "result": _encode(result), "mutated": mutated}
                    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
                        reply = {"ok": False, "kind": "bad_result",
                                 "error": f"returned {exc}, not a number or an array of numbers"}
        except BaseException:
            reply = {"ok": False, "kind": "worker", "error": traceback.format_exc(limit=3)[-2000:]}
        reply["id"] = request.get("id")
        try:
            answers.write(json.dumps(reply) + "\n")
        except (TypeError, ValueError, RecursionError):
            answers.write(json.dumps({"id": request.get("id"), "ok": False, "kind": "worker",
                                      "error": "produced an answer that cannot be sent"}) + "\n")


if __name__ == "__main__":
    main()
