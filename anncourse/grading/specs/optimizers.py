"""Exercises of ``17-optimizers``: nine optimizer steps and an ``Adam`` class.

Every expected value comes from :mod:`anncourse.optim`, whose classes are
tested against ``torch.optim`` (and, for the syllabus's own forms, against
the identities in :mod:`anncourse.optim.syllabus`).  A reference step
function here puts the learner's arrays into a one-parameter optimizer,
sets its state, calls ``step()`` once and reads the new values back:

=================  ===========================================================
exercise           reference
=================  ===========================================================
``sgd_step``       :class:`~anncourse.optim.SGD`
``momentum_step``  :class:`~anncourse.optim.MomentumEMA` (``v = beta v + (1 - beta) g``)
``nesterov_step``  :class:`~anncourse.optim.NesterovLookahead` (look-ahead ``theta - lr beta v``)
``adagrad_step``   :class:`~anncourse.optim.AdagradEpsInsideSqrt` (the syllabus's ``sqrt(G + eps)``)
``rmsprop_step``   :class:`~anncourse.optim.RMSpropEpsInsideSqrt`
``adadelta_step``  :class:`~anncourse.optim.AdadeltaOriginal` (with the ``E[dx^2]`` update)
``adam_step``      :class:`~anncourse.optim.Adam`
``adamax_step``    :class:`~anncourse.optim.Adamax` (``u = max(beta2 u, |g| + eps)``)
``nadam_step``     :class:`~anncourse.optim.NadamDozat` (scheduled momentum, ``psi = 0.004``)
``Adam``           :class:`~anncourse.optim.Adam`, driven over 50 steps on a small network
=================  ===========================================================

Every step function returns a tuple, compared part by part (``parts=``), so
the feedback names the part that is wrong ("theta is right; v is not close
enough").  A dict with the same names is accepted too.

Scenarios
---------
``nesterov_step`` receives a function: the driver (:func:`drive_nesterov`)
defines the gradient of a quadratic ``A theta - b`` inside the sandbox and
passes it, so the learner's code evaluates it wherever it likes (the
look-ahead point, if right).  The ``Adam`` class is driven by
:func:`drive_adam_class`: it builds parameter objects with an ndarray
``.data`` and a ``.grad`` (``None`` until a gradient arrives, as in
:class:`anncourse.nn.Parameter`), a 3-4-2 tanh network on fixed data with
its gradients in NumPy, and runs ``zero_grad()``, backward, ``step()`` 50
times.  The backward pass *adds* to ``.grad`` (creating it when it is
``None``), so a ``zero_grad`` that does nothing is caught.

What the checks must accept
---------------------------
Loops with :mod:`math` or vectorised NumPy; lists or arrays of any shape
(1-D vectors, 2-D weight matrices); float32 input; a tuple, a list or a
dict of the parts; ``p.data -= ...`` or ``p.data = ...`` in the class; a
``zero_grad`` that sets ``.grad`` to ``None`` or fills it with zeros; the
powers ``beta**t`` computed directly or accumulated (same to 1e-15).

Tolerances
----------
``rtol=1e-7, atol=1e-10`` in float64.  One step is a handful of operations,
so two correct orders of operations agree to about 1e-15; the closest wrong
answers are far outside: ``eps`` on the wrong side of the square root,
checked on gradients of 1e-5 and 3e-6, where it changes the step by a
factor of 10 to 30, or a missing bias correction (a factor ``1 - beta^t``).  Iterated
checks use ``rtol=1e-6, atol=1e-9``: 100 steps on a fixed sequence of
gradients (the same for the answer and the reference, so rounding errors
are not amplified by the dynamics), up to 40 NAG steps on a contracting
quadratic and the 50-step class scenario; two correct styles differed by
at most 4e-14 over many draws.  (Gradients that depend on the position,
over 100 steps of a fast Adam or Nadam near a minimum, amplify rounding up
to 1e-5: such a check would fail correct answers, so there is none.)
float32 input is compared at ``rtol=1e-4, atol=1e-6``, about a few float32
roundings; its expected value is computed in float64 from the same float32
numbers.
"""
from __future__ import annotations

import numpy as np

from ... import optim
from ..core import Case, Exercise, Mistake, Part, Property
from ..properties import matches_reference, scenario_matches
from ..specbuilder import Chapter, Tol, seed_for

__all__ = ["EXERCISES", "adadelta_step", "adagrad_step", "adam_step", "adamax_step",
           "drive_adam_class", "drive_iterated", "drive_nesterov", "momentum_step", "nadam_step",
           "nesterov_step", "rmsprop_step", "sgd_step"]

chapter = Chapter(__name__)

TOL = Tol(1e-7, 1e-10)
ITER = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-6)
# Nadam's momentum schedule: mu_t = beta1 (1 - 0.5 * 0.96^(t psi)) with psi = 0.004 (Dozat 2016).
NADAM_PSI = 4e-3


def _a(x):
    return np.array(x, dtype=np.float64)


class _Param:
    """What an optimizer updates: an ndarray ``data`` and its ``grad``."""

    def __init__(self, data, grad=None):
        self.data = _a(data)
        self.grad = None if grad is None else _a(grad)


def _one_step(cls, theta, grad, state, **hyper):
    """One step of ``cls`` on a single parameter ``theta`` with ``state`` set beforehand."""
    param = _Param(theta, grad)
    optimizer = cls([param], **hyper)
    optimizer.state[param].update({k: (_a(v) if isinstance(v, (list, np.ndarray)) else v)
                                   for k, v in state.items()})
    optimizer.step()
    return param.data, optimizer.state[param]


def _positive_step(t) -> int:
    t = int(t)
    if t < 1:
        raise ValueError(f"t is the 1-based number of the step being taken, got {t}")
    return t


# --- the references -----------------------------------------------------------------

def sgd_step(theta, grad, lr):
    """theta - lr * grad (anncourse.optim.SGD)."""
    return _one_step(optim.SGD, theta, grad, {}, lr=lr)[0]


def momentum_step(theta, grad, v, lr, beta=0.9):
    """The syllabus's momentum: v = beta v + (1 - beta) g; theta - lr v (MomentumEMA)."""
    data, state = _one_step(optim.MomentumEMA, theta, grad, {"velocity": v}, lr=lr, beta=beta)
    return data, state["velocity"]


def nesterov_step(theta, grad_fn, v, lr, beta=0.9):
    """NAG: g = grad_fn(theta - lr beta v); v = beta v + g; theta - lr v (NesterovLookahead)."""
    param = _Param(theta)
    optimizer = optim.NesterovLookahead([param], lr=lr, momentum=beta)
    optimizer.state[param]["velocity"] = _a(v)

    def closure():
        param.grad = _a(grad_fn(param.data.copy()))
        return 0.0

    optimizer.step(closure)
    return param.data, optimizer.state[param]["velocity"]


def adagrad_step(theta, grad, G, lr=0.01, eps=1e-8):
    """G + g^2; theta - lr g / sqrt(G + eps) (the syllabus's eps inside the root)."""
    data, state = _one_step(optim.AdagradEpsInsideSqrt, theta, grad, {"sum": G}, lr=lr, eps=eps)
    return data, state["sum"]


def rmsprop_step(theta, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    """s = beta s + (1 - beta) g^2; theta - lr g / sqrt(s + eps)."""
    data, state = _one_step(optim.RMSpropEpsInsideSqrt, theta, grad, {"square_avg": s}, lr=lr,
                            alpha=beta, eps=eps)
    return data, state["square_avg"]


def adadelta_step(theta, grad, Eg2, Edx2, rho=0.95, eps=1e-6):
    """Zeiler's Adadelta, with the E[dx^2] update the syllabus leaves out."""
    data, state = _one_step(optim.AdadeltaOriginal, theta, grad,
                            {"square_avg": Eg2, "acc_delta": Edx2}, rho=rho, eps=eps)
    return data, state["square_avg"], state["acc_delta"]


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam's step number ``t`` (1-based), eps outside the square root."""
    state = {"step": _positive_step(t) - 1, "exp_avg": m, "exp_avg_sq": v}
    data, state = _one_step(optim.Adam, theta, grad, state, lr=lr, betas=(beta1, beta2), eps=eps)
    return data, state["exp_avg"], state["exp_avg_sq"]


def adamax_step(theta, grad, m, u, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adamax: u = max(beta2 u, |g| + eps); theta - lr / (1 - beta1^t) m / u."""
    state = {"step": _positive_step(t) - 1, "exp_avg": m, "exp_inf": u}
    data, state = _one_step(optim.Adamax, theta, grad, state, lr=lr, betas=(beta1, beta2), eps=eps)
    return data, state["exp_avg"], state["exp_inf"]


def nadam_mu(t, beta1=0.9, psi=NADAM_PSI):
    """Dozat's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


def nadam_step(theta, grad, m, v, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Dozat's Nadam, step ``t``: m decays with the scheduled mu_t (NadamDozat)."""
    t = _positive_step(t)
    product = float(np.prod([nadam_mu(i, beta1) for i in range(1, t)]))  # mu_1 ... mu_{t-1}
    state = {"step": t - 1, "exp_avg": m, "exp_avg_sq": v, "mu_product": product}
    data, state = _one_step(optim.NadamDozat, theta, grad, state, lr=lr, betas=(beta1, beta2),
                            eps=eps, momentum_decay=NADAM_PSI)
    return data, state["exp_avg"], state["exp_avg_sq"]


# --- scenario drivers (sent to the sandbox as source: NumPy and stdlib only, imports inside) ---

def drive_iterated(step, theta, grads, n_state, with_t, names, kwargs):
    """One step per row of ``grads`` (the same gradients for every answer), every state from 0."""
    import numpy as np

    theta = np.asarray(theta, dtype=float)
    state = [np.zeros_like(theta) for _ in range(n_state)]
    for t, grad in enumerate(np.asarray(grads, dtype=float), start=1):
        extra = (t,) if with_t else ()
        out = step(theta, grad, *state, *extra, **kwargs)
        if out is None:
            raise TypeError("returned None: did you forget the `return` statement?")
        if isinstance(out, dict):
            out = tuple(out[name] for name in names)
        if n_state == 0:
            theta = np.asarray(out, dtype=float)
            continue
        if not isinstance(out, (tuple, list)) or len(out) != n_state + 1:
            raise TypeError(f"expected a tuple of {n_state + 1}: ({', '.join(names)})")
        theta = np.asarray(out[0], dtype=float)
        state = [np.asarray(s, dtype=float) for s in out[1:]]
    return tuple([theta, *state]) if n_state else theta


def drive_nesterov(nesterov_step, theta, v, lr, beta, A, b, steps):
    """``steps`` NAG steps on 0.5 x'Ax - b'x; the gradient function is the grader's own."""
    import numpy as np

    A, b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)

    def grad_fn(point):
        return A @ np.asarray(point, dtype=float) - b

    theta, v = np.asarray(theta, dtype=float), np.asarray(v, dtype=float)
    for _ in range(steps):
        out = nesterov_step(theta, grad_fn, v, lr, beta)
        if out is None:
            raise TypeError("returned None: did you forget the `return` statement?")
        if isinstance(out, dict):
            out = (out["theta"], out["v"])
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("expected a tuple of 2: (theta, v)")
        theta, v = np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
    return theta, v


def drive_adam_class(Adam, seed, steps, lr, betas, eps, frozen):
    """Train a 3-4-2 tanh network with ``Adam``; return every parameter after each step.

    The parameters are objects with an ndarray ``data`` and a ``grad`` that
    is None until the first backward pass, which adds to it (as
    anncourse.nn.Parameter does).  With ``frozen`` the last bias gets no
    gradient in the second half of the steps (its ``grad`` is None, whatever
    zero_grad left there): the optimizer must leave it alone, although its
    momentum is not zero.
    """
    import numpy as np

    class Param:
        def __init__(self, data):
            self.data = np.array(data, dtype=float)
            self.grad = None

        def accumulate_grad(self, g):
            if self.grad is None:
                self.grad = np.array(g, dtype=float)
            else:
                self.grad += g

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(16, 3))
    Y = rng.normal(size=(16, 2))
    W1, b1 = Param(rng.normal(size=(3, 4)) * 0.5), Param(np.zeros(4))
    W2, b2 = Param(rng.normal(size=(4, 2)) * 0.5), Param(rng.normal(size=2) * 0.1)
    params = [W1, b1, W2, b2]
    optimizer = Adam(params, lr=lr, betas=tuple(betas), eps=eps)
    if optimizer is None:
        raise TypeError("Adam(...) gave None: did you forget the `return` statement?")
    history = []
    for step in range(steps):
        optimizer.zero_grad()
        H = np.tanh(X @ W1.data + b1.data)
        out = H @ W2.data + b2.data
        d_out = 2 * (out - Y) / Y.size  # the mean squared error's gradient
        dH = (d_out @ W2.data.T) * (1 - H**2)
        W2.accumulate_grad(H.T @ d_out)
        if frozen and step >= steps // 2:
            b2.grad = None  # the loss stops reaching b2: whatever zero_grad left there, None now
        else:
            b2.accumulate_grad(d_out.sum(axis=0))
        W1.accumulate_grad(X.T @ dH)
        b1.accumulate_grad(dH.sum(axis=0))
        optimizer.step()
        history.append(np.concatenate([np.asarray(p.data, dtype=float).ravel() for p in params]))
    return np.array(history)


# --- building the exercises ------------------------------------------------------------

THETA0, GRAD0 = _a([1.0, -2.0]), _a([0.5, -1.0])
WORKED = "the worked example (theta = [1, -2], g = [0.5, -1], lr = 0.1, state zero, t = 1)"
# Small gradients, where eps on the wrong side of the square root changes the step a lot.
_TINY = _a([1e-5, -3e-6, 0.0])


def _structured(reference, parts, visible, hidden, mistakes, *, allow_dict=True):
    name = reference.__name__
    key = f"{chapter.slug}/{name}"
    cases = [c if isinstance(c, Case) else
             Case(c[0], tuple(c[1]), reference, dict(c[2]) if len(c) > 2 else {},
                  rtol=TOL.rtol, atol=TOL.atol)
             for c in visible]
    props = [Property(label, build(reference, seed_for(key, label))) for label, build in hidden]
    return Exercise(key=key, function_name=name, visible=cases, hidden=props, reference=reference,
                    parts=tuple(Part(p) for p in parts) if parts else (),
                    mistakes=[Mistake(label, func, hint) for label, func, hint in mistakes])


def _random_args(n_state, with_t, nonneg, kwargs_maker=None, dtype=np.float64, lists=False):
    """Random (theta, grad, *state[, t]) of a random shape; ``nonneg`` marks states >= 0."""

    def make(rng):
        shape = [(int(rng.integers(2, 9)),), (int(rng.integers(2, 5)), int(rng.integers(2, 5)))][
            int(rng.integers(0, 2))]
        theta, grad = rng.normal(size=shape), rng.normal(size=shape) * 10 ** rng.uniform(-2, 1)
        state = []
        for i in range(n_state):
            s = rng.normal(size=shape)
            state.append(np.abs(s) * rng.uniform(0.01, 2) if nonneg[i] else s * 0.3)
        args = [theta, grad, *state]
        args = [a.astype(dtype) for a in args]
        if lists:
            args = [a.tolist() for a in args]
        if with_t:
            args.append(int(rng.integers(1, 300)))
        return tuple(args), (kwargs_maker(rng) if kwargs_maker else {})

    return make


def _hidden_set(n_state, with_t, nonneg, kwargs_maker, tiny_state, names):
    """The hidden checks every step exercise gets."""

    def rand(dtype=np.float64, lists=False, trials=5, tol=TOL):
        make = _random_args(n_state, with_t, nonneg, kwargs_maker, dtype, lists)
        return lambda ref, seed: matches_reference(ref, make, trials=trials, rtol=tol.rtol,
                                                   atol=tol.atol, seed=seed)

    def defaults(ref, seed):
        make = _random_args(n_state, with_t, nonneg)
        return matches_reference(ref, make, trials=2, rtol=TOL.rtol, atol=TOL.atol, seed=seed)

    def tiny(ref, seed):
        def make(rng):
            g = _TINY * rng.uniform(0.5, 2)
            args = [rng.normal(size=3), g, *[_a(s) for s in tiny_state]]
            if with_t:
                args.append(int(rng.integers(1, 20)))
            return tuple(args), (kwargs_maker(rng) if kwargs_maker else {})
        return matches_reference(ref, make, trials=2, rtol=TOL.rtol, atol=TOL.atol, seed=seed)

    def iterated(ref, seed):
        def make(rng):
            n = int(rng.integers(2, 6))
            grads = rng.normal(size=(100, n)) * 10 ** rng.uniform(-2, 1, size=(100, 1))
            kwargs = kwargs_maker(rng) if kwargs_maker else {}
            return (rng.normal(size=n), grads, n_state, with_t, names, kwargs), {}
        return scenario_matches(ref, drive_iterated, make, trials=2, rtol=ITER.rtol,
                                atol=ITER.atol, seed=seed)

    checks = [("wrong on random inputs (vectors and weight matrices, state not zero)", rand()),
              ("does not accept Python lists", rand(lists=True, trials=2)),
              ("wrong for float32 input", rand(np.float32, trials=2, tol=F32)),
              ("wrong with the default hyper-parameters", defaults),
              ("wrong after 100 steps in a row (the state carried from step to step)", iterated)]
    if tiny_state is not None:
        checks.append(("wrong for tiny gradients, where the place of eps matters", tiny))
    return checks


def _lr_kwargs(rng):
    return {"lr": float(10 ** rng.uniform(-3, -0.5))}


def _betas_kwargs(rng):
    return {"lr": float(10 ** rng.uniform(-3, -1)), "beta1": float(rng.uniform(0.5, 0.95)),
            "beta2": float(rng.uniform(0.9, 0.9999))}


# --- SGD ---------------------------------------------------------------------------

def _sgd_hidden():
    checks = _hidden_set(0, False, (), _lr_kwargs, None, ("theta",))
    # sgd_step has no default learning rate: its "defaults" check passes lr explicitly.
    make = _random_args(0, False, (), _lr_kwargs)
    make_pos = lambda rng: (make(rng)[0] + (float(10 ** rng.uniform(-3, 0)),), {})  # noqa: E731
    return [c for c in checks if "default" not in c[0]] + [
        ("wrong with the learning rate passed by position",
         lambda ref, seed: matches_reference(ref, make_pos, trials=2, rtol=TOL.rtol,
                                             atol=TOL.atol, seed=seed))]


def _sgd_plus(theta, grad, lr):
    return _a(theta) + lr * _a(grad)


SGD = _structured(
    sgd_step, (),
    visible=[(WORKED, (THETA0, GRAD0, 0.1)),
             ("a 2 x 2 weight matrix given as Python lists, lr = 0.5",
              ([[1.0, 2.0], [3.0, 4.0]], [[0.2, -0.4], [0.0, 1.0]], 0.5))],
    hidden=_sgd_hidden(),
    mistakes=[],
)
def _sgd_hint():
    # A plain answer gets the course's generic hints too; this one names the step's direction.
    def hint(args, expected, actual):
        theta = np.asarray(args[0], dtype=float)
        if not np.allclose(actual, expected) and np.allclose(actual, 2 * theta - expected,
                                                               rtol=1e-9, atol=1e-12):
            return ("theta moved the wrong way (a step uphill, the wrong sign on the step): "
                    "subtract lr * grad, since the gradient points uphill.")
        return None
    return hint


SGD = Exercise(**{**SGD.__dict__, "hints": (_sgd_hint(),),
                  "mistakes": [Mistake("plus instead of minus (a step uphill)", _sgd_plus,
                                       "theta moved the wrong way")]})


# --- momentum -------------------------------------------------------------------------

def _momentum_sum(theta, grad, v, lr, beta=0.9):
    v = beta * _a(v) + _a(grad)  # PyTorch's buffer, not the syllabus's average
    return _a(theta) - lr * v, v


def _momentum_old_v(theta, grad, v, lr, beta=0.9):
    new_v = beta * _a(v) + (1 - beta) * _a(grad)
    return _a(theta) - lr * _a(v), new_v  # steps with the previous velocity


MOMENTUM = _structured(
    momentum_step, ("theta", "v"),
    visible=[(WORKED, (THETA0, GRAD0, np.zeros(2), 0.1)),
             ("a later step: v = [0.2, -0.3], beta = 0.5, as Python lists",
              ([1.0, -2.0], [0.5, -1.0], [0.2, -0.3], 0.1), {"beta": 0.5})],
    hidden=_hidden_set(1, False, (False,), lambda rng: {**_lr_kwargs(rng),
                                                        "beta": float(rng.uniform(0.3, 0.99))},
                       None, ("theta", "v")),
    mistakes=[("PyTorch's sum v = beta v + g, not the average",
               _momentum_sum, "v 10 times too large"),
              ("steps with the old velocity", _momentum_old_v, "theta is not close enough")],
)
# The defaults check calls momentum_step without lr, which has no default: pass lr.
MOMENTUM = Exercise(**{**MOMENTUM.__dict__, "hidden": [
    p for p in MOMENTUM.hidden if "default" not in p.label] + [
    Property("wrong with the default beta", matches_reference(
        momentum_step, lambda rng: (_random_args(1, False, (False,))(rng)[0]
                                    + (float(10 ** rng.uniform(-3, 0)),), {}),
        trials=2, rtol=TOL.rtol, atol=TOL.atol,
        seed=seed_for(f"{chapter.slug}/momentum_step", "default beta")))]})


# --- Nesterov ---------------------------------------------------------------------------

_QUARTER = np.eye(2) * 0.5   # f = theta'theta / 4: its gradient at [1, -2] is [0.5, -1]
_A_ILL = _a([[1.0, 0.0], [0.0, 10.0]])


def _nag_syllabus(theta, grad_fn, v, lr, beta=0.9):
    v = beta * _a(v) + _a(grad_fn(_a(theta) - beta * _a(v)))  # look-ahead without lr
    return _a(theta) - lr * v, v


def _nag_plain_momentum(theta, grad_fn, v, lr, beta=0.9):
    v = beta * _a(v) + _a(grad_fn(_a(theta)))  # gradient at theta: heavy-ball momentum
    return _a(theta) - lr * v, v


def _nag_args(rng):
    n = int(rng.integers(2, 6))
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = q @ np.diag(rng.uniform(0.1, 5.0, size=n)) @ q.T
    lr = float(rng.uniform(0.02, 0.15))
    return (rng.normal(size=n), rng.normal(size=n) * 0.5, lr, float(rng.uniform(0.5, 0.95)), A,
            rng.normal(size=n), int(rng.integers(5, 40))), {}


def _nesterov_case(label, args, tol=TOL):
    return Case(label, args, nesterov_step, driver=drive_nesterov, rtol=tol.rtol, atol=tol.atol)


NESTEROV = Exercise(
    key=f"{chapter.slug}/nesterov_step", function_name="nesterov_step", reference=nesterov_step,
    parts=(Part("theta"), Part("v")),
    visible=[
        _nesterov_case(WORKED + ", f = |theta|^2 / 4 so grad_fn(p) = p / 2, one step",
                       (THETA0, np.zeros(2), 0.1, 0.9, _QUARTER, np.zeros(2), 1)),
        _nesterov_case("the same start, 2 steps: the second looks ahead",
                       (THETA0, np.zeros(2), 0.1, 0.9, _QUARTER, np.zeros(2), 2)),
        _nesterov_case("20 steps on f = (x^2 + 10 y^2) / 2 from v = [0.3, -0.1], lr = 0.05",
                       (THETA0, _a([0.3, -0.1]), 0.05, 0.9, _A_ILL, np.zeros(2), 20), ITER),
    ],
    hidden=[Property("wrong on random quadratics (several steps, other lr and beta)",
                     scenario_matches(nesterov_step, drive_nesterov, _nag_args, trials=3,
                                      rtol=ITER.rtol, atol=ITER.atol,
                                      seed=seed_for(f"{chapter.slug}/nesterov_step", "random")))],
    mistakes=[Mistake("the syllabus's look-ahead theta - beta v (no lr)", _nag_syllabus,
                      "the second looks ahead:"),
              Mistake("gradient at theta (plain momentum)", _nag_plain_momentum,
                      "the second looks ahead:")],
)


# --- Adagrad, RMSprop, Adadelta -------------------------------------------------------------

def _adagrad_eps_outside(theta, grad, G, lr=0.01, eps=1e-8):
    G = _a(G) + _a(grad) ** 2
    return _a(theta) - lr * _a(grad) / (np.sqrt(G) + eps), G


def _adagrad_old_G(theta, grad, G, lr=0.01, eps=1e-8):
    new_G = _a(G) + _a(grad) ** 2
    return _a(theta) - lr * _a(grad) / np.sqrt(_a(G) + eps), new_G


ADAGRAD = _structured(
    adagrad_step, ("theta", "G"),
    visible=[(WORKED, (THETA0, GRAD0, np.zeros(2)), {"lr": 0.1}),
             ("a later step: G = [1, 4], default lr, as Python lists",
              ([1.0, -2.0], [0.5, -1.0], [1.0, 4.0])),
             ("tiny gradients [1e-5, -3e-6, 0], G = 0, lr = 0.1: eps matters here",
              (_a([1.0, 1.0, 1.0]), _TINY, np.zeros(3)), {"lr": 0.1})],
    hidden=_hidden_set(1, False, (True,), _lr_kwargs, [np.zeros(3)], ("theta", "G")),
    mistakes=[("eps outside the square root", _adagrad_eps_outside,
               "eps matters here:\n  call:     adagrad_step(np.array([1., 1., 1.]), "),
              ("divides by the old G", _adagrad_old_G, "theta is not close enough")],
)


def _rmsprop_eps_outside(theta, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    s = beta * _a(s) + (1 - beta) * _a(grad) ** 2
    return _a(theta) - lr * _a(grad) / (np.sqrt(s) + eps), s


def _rmsprop_no_one_minus(theta, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    s = beta * _a(s) + _a(grad) ** 2
    return _a(theta) - lr * _a(grad) / np.sqrt(s + eps), s


RMSPROP = _structured(
    rmsprop_step, ("theta", "s"),
    visible=[(WORKED, (THETA0, GRAD0, np.zeros(2)), {"lr": 0.1}),
             ("a later step: s = [0.1, 0.5], beta = 0.99, default lr, as Python lists",
              ([1.0, -2.0], [0.5, -1.0], [0.1, 0.5]), {"beta": 0.99}),
             ("tiny gradients [1e-5, -3e-6, 0], s = 0, lr = 0.1: eps matters here",
              (_a([1.0, 1.0, 1.0]), _TINY, np.zeros(3)), {"lr": 0.1})],
    hidden=_hidden_set(1, False, (True,), lambda rng: {**_lr_kwargs(rng),
                                                       "beta": float(rng.uniform(0.5, 0.999))},
                       [np.zeros(3)], ("theta", "s")),
    mistakes=[("eps outside the square root", _rmsprop_eps_outside,
               "eps matters here:\n  call:     rmsprop_step(np.array([1., 1., 1.]), "),
              ("adds g^2 without (1 - beta)", _rmsprop_no_one_minus, "s 10 times too large")],
)


def _adadelta_no_edx(theta, grad, Eg2, Edx2, rho=0.95, eps=1e-6):
    Eg2 = rho * _a(Eg2) + (1 - rho) * _a(grad) ** 2
    dx = np.sqrt(_a(Edx2) + eps) / np.sqrt(Eg2 + eps) * _a(grad)
    return _a(theta) - dx, Eg2, _a(Edx2)  # the syllabus's version: E[dx^2] never moves


def _adadelta_new_edx_first(theta, grad, Eg2, Edx2, rho=0.95, eps=1e-6):
    Eg2 = rho * _a(Eg2) + (1 - rho) * _a(grad) ** 2
    dx_old = np.sqrt(_a(Edx2) + eps) / np.sqrt(Eg2 + eps) * _a(grad)
    Edx2 = rho * _a(Edx2) + (1 - rho) * dx_old ** 2
    dx = np.sqrt(Edx2 + eps) / np.sqrt(Eg2 + eps) * _a(grad)  # uses E[dx^2]_t, not _(t-1)
    return _a(theta) - dx, Eg2, Edx2


ADADELTA = _structured(
    adadelta_step, ("theta", "Eg2", "Edx2"),
    visible=[("the worked example (theta = [1, -2], g = [0.5, -1], state zero; no learning rate)",
              (THETA0, GRAD0, np.zeros(2), np.zeros(2))),
             ("a later step: Eg2 = [0.2, 0.8], Edx2 = [0.01, 0.04], as Python lists",
              ([1.0, -2.0], [0.5, -1.0], [0.2, 0.8], [0.01, 0.04]))],
    hidden=_hidden_set(2, False, (True, True), lambda rng: {"rho": float(rng.uniform(0.5, 0.99)),
                                                            "eps": float(10 ** rng.uniform(-8, -4))},
                       None, ("theta", "Eg2", "Edx2")),
    mistakes=[("the syllabus's version, without the E[dx^2] update", _adadelta_no_edx,
               "theta is right; Eg2 is right; Edx2 is zero"),
              ("the numerator with the new E[dx^2]", _adadelta_new_edx_first,
               "theta is not close enough")],
)


# --- Adam, Adamax, Nadam ---------------------------------------------------------------------

def _adam_no_correction(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * _a(m) + (1 - beta1) * _a(grad)
    v = beta2 * _a(v) + (1 - beta2) * _a(grad) ** 2
    return _a(theta) - lr * m / (np.sqrt(v) + eps), m, v


def _adam_eps_inside(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * _a(m) + (1 - beta1) * _a(grad)
    v = beta2 * _a(v) + (1 - beta2) * _a(grad) ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return _a(theta) - lr * m_hat / np.sqrt(v_hat + eps), m, v


def _adam_corrected_state(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * _a(m) + (1 - beta1) * _a(grad)
    v = beta2 * _a(v) + (1 - beta2) * _a(grad) ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return _a(theta) - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat  # returns m-hat, v-hat


_ADAM_LATER = ([1.0, -2.0], [0.5, -1.0], [0.05, -0.1], [0.00025, 0.001], 2)
_ADAM_TINY = (_a([1.0, 1.0, 1.0]), _TINY, np.zeros(3), np.zeros(3), 1)

ADAM_STEP = _structured(
    adam_step, ("theta", "m", "v"),
    visible=[(WORKED, (THETA0, GRAD0, np.zeros(2), np.zeros(2), 1), {"lr": 0.1}),
             ("the second step with the same gradient (m = [0.05, -0.1], v = [0.00025, 0.001], "
              "t = 2), default lr, as Python lists", _ADAM_LATER),
             ("tiny gradients [1e-5, -3e-6, 0], state zero, t = 1, lr = 0.1: eps matters here",
              _ADAM_TINY, {"lr": 0.1})],
    hidden=_hidden_set(2, True, (False, True), _betas_kwargs, [np.zeros(3), np.zeros(3)],
                       ("theta", "m", "v")),
    mistakes=[("no bias correction", _adam_no_correction,
               "theta is not close enough (expected [ 0.9, -1.9], got [ 0.68377243"),
              ("eps inside the square root", _adam_eps_inside,
               "eps matters here:\n  call:     adam_step(np.array([1., 1., 1.]), "),
              ("returns the corrected m-hat and v-hat as the state", _adam_corrected_state,
               "theta is right; m 10 times too large")],
)


def _adamax_paper(theta, grad, m, u, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * _a(m) + (1 - beta1) * _a(grad)
    u = np.maximum(beta2 * _a(u), np.abs(_a(grad)))  # no eps: 0/0 where u and g are 0
    return _a(theta) - lr / (1 - beta1 ** t) * m / u, m, u


def _adamax_no_correction(theta, grad, m, u, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * _a(m) + (1 - beta1) * _a(grad)
    u = np.maximum(beta2 * _a(u), np.abs(_a(grad)) + eps)
    return _a(theta) - lr * m / u, m, u


ADAMAX = _structured(
    adamax_step, ("theta", "m", "u"),
    visible=[(WORKED, (THETA0, GRAD0, np.zeros(2), np.zeros(2), 1), {"lr": 0.1}),
             ("a later step: m = [0.05, -0.1], u = [2, 0.5], t = 2, default lr, as Python lists",
              ([1.0, -2.0], [0.5, -1.0], [0.05, -0.1], [2.0, 0.5], 2)),
             ("a coordinate whose gradients have all been 0 (g = [1, 0], state zero, t = 1)",
              (THETA0, _a([1.0, 0.0]), np.zeros(2), np.zeros(2), 1), {"lr": 0.1})],
    hidden=_hidden_set(2, True, (False, True), _betas_kwargs, [np.zeros(3), np.zeros(3)],
                       ("theta", "m", "u")),
    mistakes=[("the paper's max without eps (0/0 for a zero gradient)", _adamax_paper,
               "theta is NaN"),
              ("no bias correction of m", _adamax_no_correction,
               "theta is not close enough (expected [ 0.9, -1.9], got [ 0.99, -1.99]")],
)


def _nadam_constant_beta(theta, grad, m, v, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """PyTorch's NAdam arithmetic: m decays with beta1, not with mu_t."""
    mu = [nadam_mu(i, beta1) for i in range(1, t + 2)]
    product = float(np.prod(mu[:t]))
    m = beta1 * _a(m) + (1 - beta1) * _a(grad)
    v = beta2 * _a(v) + (1 - beta2) * _a(grad) ** 2
    m_bar = (1 - mu[t - 1]) * _a(grad) / (1 - product) + mu[t] * m / (1 - product * mu[t])
    return _a(theta) - lr * m_bar / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


def _nadam_adam(theta, grad, m, v, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


NADAM = _structured(
    nadam_step, ("theta", "m", "v"),
    visible=[(WORKED, (THETA0, GRAD0, np.zeros(2), np.zeros(2), 1), {"lr": 0.1}),
             ("a later step: m = [0.3, -0.6], v = [0.00025, 0.001], t = 2, default lr, "
              "as Python lists", ([1.0, -2.0], [0.5, -1.0], [0.3, -0.6], [0.00025, 0.001], 2))],
    hidden=_hidden_set(2, True, (False, True), _betas_kwargs, None, ("theta", "m", "v")),
    mistakes=[("PyTorch's m, decayed with beta1 instead of mu_t", _nadam_constant_beta,
               "m 5.5 times too small"),
              ("plain Adam", _nadam_adam, "theta is not close enough")],
)


# --- the Adam class ---------------------------------------------------------------------------

class _AdamNoCorrection(optim.Adam):
    """Adam without bias correction: the learner's likeliest slip in a class."""

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        if not state:
            state["m"], state["v"] = np.zeros_like(param.data), np.zeros_like(param.data)
        state["m"] = beta1 * state["m"] + (1 - beta1) * grad
        state["v"] = beta2 * state["v"] + (1 - beta2) * grad**2
        param.data -= group["lr"] * state["m"] / (np.sqrt(state["v"]) + group["eps"])


class _AdamNoZeroGrad(optim.Adam):
    """Adam whose zero_grad forgets to clear: gradients pile up."""

    def zero_grad(self, set_to_none=True):
        return None


class _AdamGlobalStepFrozenToo(optim.Adam):
    """Adam that updates a parameter without a gradient as if its gradient were 0 (momentum moves it)."""

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    p.grad = np.zeros_like(p.data)
        return super().step(closure)


def _adam_case(label, args):
    return Case(label, args, optim.Adam, driver=drive_adam_class, rtol=ITER.rtol, atol=ITER.atol)


_CLASS_KEY = f"{chapter.slug}/Adam"


def _class_args(frozen):
    def make(rng):
        return (int(rng.integers(0, 2**31)), 50, float(10 ** rng.uniform(-3, -1.5)),
                [float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999))],
                float(10 ** rng.uniform(-9, -6)), frozen), {}
    return make


ADAM_CLASS = Exercise(
    key=_CLASS_KEY, function_name="Adam", reference=optim.Adam,
    visible=[_adam_case("50 steps on a 3-4-2 tanh network (seed 0), lr = 0.01, default betas",
                        (0, 50, 0.01, [0.9, 0.999], 1e-8, False)),
             _adam_case("the same network (seed 1), lr = 0.05, betas = (0.8, 0.99)",
                        (1, 50, 0.05, [0.8, 0.99], 1e-8, False))],
    hidden=[Property("wrong for other networks, learning rates and betas",
                     scenario_matches(optim.Adam, drive_adam_class, _class_args(False), trials=2,
                                      rtol=ITER.rtol, atol=ITER.atol,
                                      seed=seed_for(_CLASS_KEY, "random"))),
            Property("changes a parameter whose grad is None (it must be skipped)",
                     scenario_matches(optim.Adam, drive_adam_class, _class_args(True), trials=1,
                                      rtol=ITER.rtol, atol=ITER.atol,
                                      seed=seed_for(_CLASS_KEY, "frozen")))],
    mistakes=[Mistake("no bias correction", _AdamNoCorrection, "the result is not close enough"),
              Mistake("zero_grad does nothing", _AdamNoZeroGrad, "the result is not close enough")],
)

EXERCISES = [SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADADELTA, ADAM_STEP, ADAMAX, NADAM,
             ADAM_CLASS]
