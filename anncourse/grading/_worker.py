"""The process that holds a learner's code while it is graded.

This file runs inside the sandbox with nothing but the standard library and
NumPy: it must not import anncourse (which is not there).  It reads requests
as JSON lines on stdin and answers on file descriptor 3, so that whatever the
learner's code prints (stdout and stderr go to /dev/null) cannot be mistaken
for an answer.  It is not trusted: the grader treats every answer as data and
compares it with values computed outside.

Requests:  {"op": "load", "cells": [source, ...], "name": "mse"}
           {"op": "call", "args": [...], "kwargs": {...}}
Answers:   {"ok": true, ...} or {"ok": false, "error": "...", "kind": "..."}
"""
import ast
import json
import os
import sys
import traceback


def _encode(value, depth=0):
    import numpy as np

    if depth > 20:
        raise TypeError("the result is nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"an array of dtype {value.dtype}")
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return _encode(value.item(), depth + 1)
    if isinstance(value, (list, tuple)):
        return [_encode(v, depth + 1) for v in value]
    raise TypeError(f"a {type(value).__name__}")


def _decode(value):
    import numpy as np

    if isinstance(value, dict) and "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=value["dtype"])
    if isinstance(value, dict) and "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _strip_magics(source):
    # IPython syntax (%magic, !shell) is not Python; the grader runs plain Python.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def main():
    answers = os.fdopen(3, "w", buffering=1)
    # The learner's prints go nowhere: a flood of output cannot fill a pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    func = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "load":
                errors = []
                for i, source in enumerate(request["cells"]):
                    try:
                        tree = ast.parse(_strip_magics(source), f"<cell {i}>")
                    except SyntaxError as exc:
                        errors.append(f"cell {i}: SyntaxError: {exc}")
                        continue
                    # Statement by statement: a teaching cell's failed import
                    # (matplotlib, anncourse: not here) must not hide the
                    # definitions after it.
                    for statement in tree.body:
                        try:
                            code = compile(ast.Module([statement], []), f"<cell {i}>", "exec")
                            exec(code, namespace)
                        except BaseException as exc:  # SystemExit and KeyboardInterrupt too
                            errors.append(f"cell {i}, line {statement.lineno}: "
                                          f"{type(exc).__name__}: {exc}")
                func = namespace.get(request["name"])
                reply = {"ok": True, "errors": errors, "defined": callable(func)}
            else:
                args = _decode(request["args"])
                kwargs = {k: _decode(v) for k, v in request["kwargs"].items()}
                try:
                    result = func(*args, **kwargs)
                except NotImplementedError:
                    reply = {"ok": False, "kind": "not_implemented",
                             "error": "is not written yet: it still raises NotImplementedError"}
                except BaseException as exc:
                    reply = {"ok": False, "kind": "raised",
                             "error": f"raised {type(exc).__name__}: {exc}"[:2000]}
                else:
                    try:
                        reply = {"ok": True, "result": _encode(result)}
                    except (TypeError, ValueError, RecursionError) as exc:
                        reply = {"ok": False, "kind": "bad_result",
                                 "error": f"returned {exc}, not a number or an array of numbers"}
        except BaseException:
            reply = {"ok": False, "kind": "worker", "error": traceback.format_exc(limit=3)[-2000:]}
        answers.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
