"""Module: the base class of every layer, loss and model in :mod:`anncourse.nn`.

A module is a function with state. Its :meth:`~Module.forward` computes an
output from an input and keeps (caches) whatever it will need later; its
:meth:`~Module.backward` receives the gradient of the loss with respect to
that output and applies the chain rule::

    dL/dinput = dL/doutput * doutput/dinput

It returns ``dL/dinput`` to the module before it, and adds
``dL/dparameter`` to the ``grad`` of each of its own parameters.

As in PyTorch, a module finds its parameters and sub-modules by watching
attribute assignment: ``self.weight = Parameter(...)`` registers a
parameter, ``self.fc = Linear(...)`` a sub-module, and
:meth:`~Module.register_buffer` an array that is state but not learned
(such as batch normalisation's running mean). Everything registered is
reached by :meth:`~Module.parameters`, :meth:`~Module.train`,
:meth:`~Module.state_dict` and the rest, recursively, in registration
order.
"""
from __future__ import annotations

from collections import namedtuple

import functools
import inspect

import numpy as np

from anncourse._validation import as_float_array
from anncourse.nn.parameter import Parameter

__all__ = ["Module", "IncompatibleKeys"]

#: What :meth:`Module.load_state_dict` returns, as in PyTorch.
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for layers, losses and models.

    A subclass calls ``super().__init__()`` first, then assigns its
    parameters and sub-modules as attributes, and defines
    :meth:`forward` and :meth:`backward`.

    Attributes
    ----------
    training : bool
        ``True`` in training mode (the default), ``False`` after
        :meth:`eval`. Dropout and batch normalisation behave differently in
        the two modes.

    Examples
    --------
    A layer that scales its input by a learned number ``w``,
    ``y = w * x``, so ``dL/dw = sum(g * x)`` and ``dL/dx = g * w``:

    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = Parameter(2.0)
    ...     def forward(self, x):
    ...         self._saved = (x,)
    ...         return self.w.data * x
    ...     def backward(self, grad_output):
    ...         (x,) = self._saved_for_backward()
    ...         self.w.accumulate_grad(np.sum(grad_output * x))
    ...         return grad_output * self.w.data
    >>> layer = Scale()
    >>> layer(np.array([1.0, 3.0]))
    array([2., 6.])
    >>> layer.backward(np.array([1.0, 1.0]))
    array([2., 2.])
    >>> [(name, p.grad) for name, p in layer.named_parameters()]
    [('w', array(4.))]
    """

    def __init__(self):
        # object.__setattr__, because our own __setattr__ needs these to exist.
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_saved", None)

    # ------------------------------------------------------------------
    # Registration by attribute assignment
    # ------------------------------------------------------------------

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() has run; "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if isinstance(value, Parameter):
            self._forget(name, keep=self._parameters)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif name in self._parameters:
            # Replacing a parameter by an array would silently stop it learning.
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} to parameter {name!r}; "
                    "assign a Parameter (or None), or change its .data instead"
                )
            self._parameters[name] = None
        elif name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} to sub-module {name!r}; "
                    "assign a Module (or None)"
                )
            self._modules[name] = None
        elif name in self._buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(
                    f"cannot assign {type(value).__name__} to buffer {name!r}; "
                    "assign a numpy array (or None)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Called only when normal lookup fails, i.e. for registered names.
        # Read __dict__ directly so that half-built copies (copy.deepcopy,
        # pickle) get an AttributeError here instead of endless recursion.
        for registry in ("_parameters", "_buffers", "_modules"):
            members = self.__dict__.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        for members in (self._parameters, self._buffers, self._modules):
            if name in members:
                del members[name]
                return
        object.__delattr__(self, name)

    def _forget(self, name, keep):
        """Remove ``name`` from ``__dict__`` and from every registry but ``keep``.

        ``keep`` is the registry the name is about to be stored in; leaving
        it alone lets a re-assigned parameter keep its place in the order.
        """
        self.__dict__.pop(name, None)
        for members in (self._parameters, self._buffers, self._modules):
            if members is not keep:
                members.pop(name, None)

    def register_buffer(self, name, array):
        """Register ``array`` as a buffer: state that is saved but not learned.

        Buffers appear in :meth:`state_dict` next to the parameters but
        are not returned by :meth:`parameters`, so no optimizer changes
        them. Batch normalisation's running statistics are buffers.

        Parameters
        ----------
        name : str
            The attribute name.
        array : numpy.ndarray or None
            The buffer's value; ``None`` registers the name without state.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("call super().__init__() before register_buffer()")
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(
                f"buffer {name!r} must be a numpy array or None, got {type(array).__name__}"
            )
        self._forget(name, keep=self._buffers)
        self._buffers[name] = array

    # ------------------------------------------------------------------
    # Forward and backward
    # ------------------------------------------------------------------

    def forward(self, *inputs):
        """Compute the output, keeping what :meth:`backward` needs."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    def backward(self, grad_output, input_grad=True):
        """Return ``dL/dinput`` given ``grad_output = dL/doutput``.

        Adds ``dL/dparameter`` to the ``grad`` of each parameter. It uses
        what the latest :meth:`forward` call saved, so the input passed to
        that call must not be modified in place in between.

        With ``input_grad=False`` the caller does not need ``dL/dinput``
        (the input is the data, as for the first layer of a model in
        training), so a layer may skip computing it and return ``None``;
        layers for which it costs nothing may return it anyway. Subclasses
        may leave this argument out: :class:`Sequential` then asks them for
        the input gradient as before.
        """
        raise NotImplementedError(f"{type(self).__name__} must define backward()")

    def _saved_for_backward(self):
        """Return what :meth:`forward` saved, or explain that it has not run."""
        if self._saved is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() was called before forward(); "
                "run the forward pass first: backward uses what it saved"
            )
        return self._saved

    def _check_grad_output(self, grad_output, shape, dtype):
        """Return ``grad_output`` as an array of the forward output's shape and dtype."""
        grad_output = np.asarray(grad_output)
        if grad_output.shape != tuple(shape):
            raise ValueError(
                f"{type(self).__name__}.backward() needs grad_output of the output's "
                f"shape {tuple(shape)}, got shape {grad_output.shape}"
            )
        return grad_output.astype(dtype, copy=False)

    # ------------------------------------------------------------------
    # Walking the tree of modules
    # ------------------------------------------------------------------

    def named_children(self):
        """Yield ``(name, module)`` for each direct sub-module."""
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self):
        """Yield each direct sub-module."""
        for _, child in self.named_children():
            yield child

    def named_modules(self, prefix=""):
        """Yield ``(name, module)`` for this module and all below it, parents first.

        The names are dotted paths such as ``"0"`` or ``"encoder.1"``; this
        module itself is called ``prefix`` (``""`` by default). A module
        that appears twice is yielded once.
        """
        seen = set()

        def walk(module, path):
            if id(module) in seen:
                return
            seen.add(id(module))
            yield path, module
            for name, child in module.named_children():
                yield from walk(child, _join(path, name))

        yield from walk(self, prefix)

    def modules(self):
        """Yield this module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix="", recurse=True):
        """Yield ``(name, parameter)`` pairs, in registration order.

        A module's own parameters come before those of its sub-modules,
        and names are dotted paths, as in PyTorch (``"0.weight"``). A
        parameter shared by two modules is yielded once.
        """
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        seen = set()
        for path, module in modules:
            for name, parameter in module._parameters.items():
                if parameter is not None and id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield _join(path, name), parameter

    def parameters(self, recurse=True):
        """Return an iterator over the parameters, in registration order."""
        return (parameter for _, parameter in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix="", recurse=True):
        """Yield ``(name, array)`` for each buffer, named like the parameters."""
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for path, module in modules:
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield _join(path, name), buffer

    def buffers(self, recurse=True):
        """Return an iterator over the buffers."""
        return (buffer for _, buffer in self.named_buffers(recurse=recurse))

    # ------------------------------------------------------------------
    # Training helpers
    # ------------------------------------------------------------------

    def zero_grad(self, set_to_none=True):
        """Clear the gradient of every parameter (to ``None`` by default)."""
        for parameter in self.parameters():
            parameter.zero_grad(set_to_none=set_to_none)

    def train(self, mode=True):
        """Put this module and all below it in training mode; return ``self``."""
        if not isinstance(mode, bool):
            raise TypeError(f"train() takes a bool, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Put this module and all below it in evaluation mode; return ``self``."""
        return self.train(False)

    # ------------------------------------------------------------------
    # Saving and loading
    # ------------------------------------------------------------------

    def _named_state(self, prefix=""):
        """Yield ``(key, live array)`` for every parameter and buffer, PyTorch's order.

        Each module contributes its parameters, then its buffers, then
        those of its sub-modules. Unlike :meth:`named_parameters` this
        does not skip shared parameters: PyTorch's state_dict lists them
        under every name.
        """
        for name, parameter in self._parameters.items():
            if parameter is not None:
                yield prefix + name, parameter.data
        for name, buffer in self._buffers.items():
            if buffer is not None:
                yield prefix + name, buffer
        for name, child in self.named_children():
            yield from child._named_state(prefix + name + ".")

    def state_dict(self):
        """Return a dict from names (``"0.weight"``) to copies of every array.

        The names are PyTorch's, so a PyTorch model of the same
        architecture has the same keys. The arrays are copies: training
        the module further does not change a saved state.

        Examples
        --------
        >>> from anncourse.nn import Linear, ReLU, Sequential
        >>> model = Sequential(Linear(3, 2, random_state=0), ReLU(), Linear(2, 1, random_state=0))
        >>> list(model.state_dict())
        ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        return {key: array.copy() for key, array in self._named_state()}

    def load_state_dict(self, state_dict, strict=True):
        """Copy the arrays of ``state_dict`` into this module's parameters and buffers.

        Everything is checked before anything is copied, so a failed load
        leaves the module unchanged. Values are copied into the existing
        arrays, which keep their dtype.

        Parameters
        ----------
        state_dict : dict
            Names to array-likes, as made by :meth:`state_dict` (a PyTorch
            state_dict of CPU tensors works too).
        strict : bool, default True
            If ``True``, the keys must match this module's exactly. If
            ``False``, missing and unexpected keys are allowed and reported.

        Returns
        -------
        IncompatibleKeys
            A named tuple of the ``missing_keys`` and ``unexpected_keys``.

        Raises
        ------
        ValueError
            Listing every missing key, unexpected key (when ``strict``) and
            every array whose shape differs from the module's.
        TypeError
            If a value cannot be stored in its array's dtype (for example
            floats into the integer ``num_batches_tracked``).
        """
        own = dict(self._named_state())
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(map(repr, unexpected)))
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = np.asarray(state_dict[key])
            if value.shape != target.shape:
                problems.append(
                    f"{key!r} has shape {value.shape} in the state_dict but "
                    f"shape {target.shape} in the module"
                )
            elif not np.can_cast(value.dtype, target.dtype, casting="same_kind"):
                raise TypeError(
                    f"{key!r} has dtype {value.dtype} in the state_dict, which cannot be "
                    f"stored in the module's {target.dtype} array"
                )
            values[key] = value
        if problems:
            raise ValueError(
                f"cannot load the state_dict into {type(self).__name__}:\n  "
                + "\n  ".join(problems)
            )
        for key, value in values.items():
            np.copyto(own[key], value, casting="same_kind")
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------
    # Printing
    # ------------------------------------------------------------------

    def extra_repr(self):
        """The text between the parentheses of this module's repr."""
        return ""

    def __repr__(self):
        children = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self.named_children()
        ]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        return head + "\n  " + "\n  ".join(children) + "\n)"


def _join(prefix, name):
    """``"0" + "weight"`` -> ``"0.weight"``; an empty prefix adds no dot."""
    return f"{prefix}.{name}" if prefix else name


def _as_layer_input(x, dtype, layer):
    """Convert the input of a layer with ``dtype`` parameters, or explain the clash.

    Integer and boolean inputs (pixels, one-hot codes) are converted to the
    layer's dtype. A float input of the other precision is an error, as in
    PyTorch: silently promoting float32 data to float64 (or rounding
    float64 data to float32) would change the result's dtype or precision
    behind the learner's back.
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        return as_float_array(x, "input", dtype=dtype)
    if x.dtype != dtype:
        raise TypeError(
            f"{layer!r} has {np.dtype(dtype)} parameters but the input is {x.dtype}; "
            f"convert the input with x.astype(np.{np.dtype(dtype)}) or build the "
            f"layer with dtype=np.{x.dtype}"
        )
    return x


@functools.lru_cache(maxsize=None)
def _backward_has_input_grad(cls):
    parameters = inspect.signature(cls.backward).parameters.values()
    return any(p.name == "input_grad" or p.kind is p.VAR_KEYWORD for p in parameters)


def _takes_input_grad(layer):
    """Whether ``layer.backward`` accepts ``input_grad`` (a module written without it may not)."""
    return _backward_has_input_grad(type(layer))
