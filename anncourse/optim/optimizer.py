"""The base class of every optimizer: parameter groups, state, ``zero_grad``.

An optimizer keeps a list of *parameter groups*. A group is a dict with a
``"params"`` key (a list of :class:`~anncourse.nn.parameter.Parameter`)
and one key per hyper-parameter (``"lr"``, ``"momentum"``, ...). Groups let
one model train its parts with different settings, for example a smaller
learning rate for a pre-trained layer; a hyper-parameter that a group does
not set takes the optimizer's default.

``optimizer.state[p]`` is a dict with what the algorithm remembers about
parameter ``p`` between steps: a momentum buffer, running averages, the
step count. It is created at ``p``'s first update.

A subclass writes one method, ``_update(param, grad, state, group)``: the
body of the loop in its docstring, for one parameter. :meth:`Optimizer.step`
calls it for every parameter that has a gradient. Parameters and state
arrays are changed in place (``x -= ...``, ``x[...] = ...``), so arrays held
elsewhere (by a layer, by a plot) see the new values and keep their dtype.
"""

import copy
from collections import defaultdict

import numpy as np

__all__ = ["Optimizer"]


def _is_parameter(obj):
    """Whether ``obj`` looks like a Parameter: an ndarray ``.data`` and a ``.grad``."""
    return isinstance(getattr(obj, "data", None), np.ndarray) and hasattr(obj, "grad")


def _checked_grad(param):
    """``param.grad`` as an array, after checking it matches ``param.data``."""
    grad = np.asarray(param.grad)
    if grad.shape != param.data.shape:
        raise ValueError(
            f"a parameter of shape {param.data.shape} has a gradient of shape "
            f"{grad.shape}; they must be the same"
        )
    if grad.dtype != param.data.dtype:
        raise ValueError(
            f"a parameter of dtype {param.data.dtype} has a gradient of dtype "
            f"{grad.dtype}; they must be the same"
        )
    return grad


class Optimizer:
    """Base class: holds parameter groups and per-parameter state.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        The parameters to optimize, or parameter groups: dicts with a
        ``"params"`` list and optional per-group hyper-parameters.
    defaults : dict
        The default value of every hyper-parameter of the algorithm.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group, with ``"params"`` and every hyper-parameter.
        Change ``group["lr"]`` here to change the learning rate while
        training.
    state : dict
        ``state[p]`` holds what the algorithm remembers about parameter ``p``.
    defaults : dict
        The hyper-parameters a group gets when it does not set them.

    Raises
    ------
    TypeError
        If ``params`` is a single Parameter, a set, or holds something that
        is not a Parameter.
    ValueError
        If ``params`` is empty, a parameter appears twice, or a
        hyper-parameter is out of range.

    Examples
    --------
    Two groups, the second with its own learning rate:

    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> from anncourse.optim import SGD
    >>> w, b = Parameter([1.0, 2.0]), Parameter([0.0])
    >>> optimizer = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}],
    ...                 lr=0.1, momentum=0.9)
    >>> [group["lr"] for group in optimizer.param_groups]
    [0.1, 0.5]
    >>> w.grad, b.grad = np.array([1.0, 1.0]), np.array([1.0])
    >>> optimizer.step()
    >>> w.data, b.data
    (array([0.9, 1.9]), array([-0.5]))
    >>> optimizer.state[w]
    {'momentum_buffer': array([1., 1.])}
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._check_hyperparameters(self.defaults)
        if _is_parameter(params) or isinstance(params, (np.ndarray, dict)):
            raise TypeError(
                "params must be a list of Parameters or a list of parameter "
                f"groups (dicts), but got a single {type(params).__name__}; "
                "wrap it in a list"
            )
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(
                "params must be a list of Parameters or a list of parameter "
                f"groups (dicts), but got {type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]

        self.state = defaultdict(dict)
        self.param_groups = []
        for group in groups:
            self.add_param_group(group)

    def _check_hyperparameters(self, group):
        """Raise ``ValueError`` if a hyper-parameter of ``group`` is invalid.

        Subclasses override this; it sees the defaults and every group.
        """

    def _update(self, param, grad, state, group):
        """Update one parameter in place; subclasses implement the algorithm.

        ``grad`` is ``param.grad``, checked; it must not be modified.
        """
        raise NotImplementedError

    def _workspace(self, param):
        """A scratch array shaped like ``param``, reused at every step.

        Elementwise updates write their intermediate results here (with
        NumPy's ``out=``) instead of allocating new arrays at every step.
        It holds nothing from one step to the next, so it is not state and
        is not saved by :meth:`state_dict`.
        """
        workspaces = self.__dict__.setdefault("_workspaces", {})
        buffer = workspaces.get(param)
        if buffer is None or buffer.shape != param.data.shape or buffer.dtype != param.data.dtype:
            buffer = workspaces[param] = np.empty_like(param.data)
        return buffer

    def add_param_group(self, param_group):
        """Add a parameter group, filling in the default hyper-parameters.

        Useful when fine-tuning: a frozen layer can join training later.

        Parameters
        ----------
        param_group : dict
            ``{"params": [...], "lr": ..., ...}``; keys it leaves out take
            the optimizer's defaults. The dict itself is not modified.

        Raises
        ------
        TypeError
            If ``param_group`` is not a dict, its params are a set, or one of
            them is not a Parameter.
        ValueError
            If it has no ``"params"``, repeats a parameter, shares one with
            another group, or has an invalid hyper-parameter.
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                "a parameter group must be a dict such as {'params': [w, b], "
                f"'lr': 0.1}}, but got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError("a parameter group needs a 'params' key")
        group = dict(param_group)

        params = group["params"]
        if _is_parameter(params):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "parameters must be given in an ordered collection such as a "
                "list, not a set: a set's order changes from run to run"
            )
        else:
            params = list(params)
        for param in params:
            if not _is_parameter(param):
                hint = (
                    "; wrap the array in a Parameter"
                    if isinstance(param, np.ndarray)
                    else ""
                )
                raise TypeError(
                    "optimizers update Parameters (objects with an ndarray "
                    f"`data` and a `grad`), but one of the params is a "
                    f"{type(param).__name__}{hint}"
                )
        # Compared by identity: a parameter listed twice would be updated
        # twice per step, silently.
        ids = [id(param) for param in params]
        if len(set(ids)) != len(ids):
            raise ValueError("a parameter group lists the same parameter twice")
        taken = {id(p) for other in self.param_groups for p in other["params"]}
        if taken.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")

        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Clear the gradients of all parameters.

        Parameters
        ----------
        set_to_none : bool, default True
            Set each ``grad`` to ``None`` (as PyTorch does by default), or
            fill the existing arrays with zeros. With ``None``, a parameter
            that the next loss does not reach is skipped by :meth:`step`,
            instead of being updated with a zero gradient (which still moves
            it when there is momentum or weight decay).
        """
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient, once.

        Parameters
        ----------
        closure : callable, optional
            A function that recomputes the loss (and the gradients) and
            returns it. It is called before the update.

        Returns
        -------
        float or None
            What ``closure`` returned, or ``None``.

        Raises
        ------
        ValueError
            If a gradient's shape or dtype differs from its parameter's.
        """
        loss = None if closure is None else closure()
        for group in self.param_groups:
            for param in group["params"]:
                # As in PyTorch: a parameter that the loss did not reach
                # keeps its value and its state (its step count included).
                if param.grad is None:
                    continue
                grad = _checked_grad(param)
                self._update(param, grad, self.state[param], group)
        return loss

    def state_dict(self):
        """The optimizer's state and hyper-parameters, as a dict of copies.

        Parameters are replaced by their position (0, 1, ...) in the order
        of :attr:`param_groups`, as in PyTorch, so the dict can be loaded
        into an optimizer built on other Parameter objects of the same
        shapes.

        Returns
        -------
        dict
            ``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``.
        """
        index = {}
        param_groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            param_groups.append(packed)
        state = {
            index[id(p)]: copy.deepcopy(self.state[p])
            for group in self.param_groups
            for p in group["params"]
            if p in self.state
        }
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Restore state and hyper-parameters saved by :meth:`state_dict`.

        Arrays are copied and cast to the dtype of the parameter they belong
        to. Nothing changes unless the whole dict is valid.

        Raises
        ------
        ValueError
            If the number of groups, the number of parameters in a group, or
            the shape of a state array does not match this optimizer.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} parameter groups but "
                f"this optimizer has {len(self.param_groups)}"
            )
        by_index = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {i} has {len(group['params'])} parameters "
                    f"but the state dict's has {len(saved['params'])}"
                )
            by_index.update(zip(saved["params"], group["params"]))

        state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            param = by_index[index]
            state[param] = {
                key: self._restored(value, param, key) for key, value in saved_state.items()
            }
        param_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            restored = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            restored["params"] = group["params"]
            self._check_hyperparameters(restored)
            param_groups.append(restored)

        self.state = state
        self.param_groups = param_groups

    @staticmethod
    def _restored(value, param, key):
        """A copy of one saved state entry, as an array of ``param``'s dtype."""
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if value.shape != param.data.shape:
            raise ValueError(
                f"state {key!r} has shape {value.shape} but its parameter has "
                f"shape {param.data.shape}"
            )
        return value.astype(param.data.dtype, copy=True)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)
