"""PyTorch weights to twinflow and back: nn.Embedding, nn.Linear and nn.LSTM (one layer,
bidirectional or not) onto twinflow's Embedding, Dense, LSTM and Bidirectional layers.

The layouts (twinflow keeps Keras's, docs/spec.md):
    Embedding      embeddings [V, E]          = weight [V, E]
    Dense          kernel [in, out]           = weight.T (weight [out, in]);  bias = bias
    LSTM           kernel [E, 4H]             = weight_ih_l0.T
                   recurrent_kernel [H, 4H]   = weight_hh_l0.T
                   bias [4H]                  = bias_ih_l0 + bias_hh_l0
    Bidirectional  forward.*  from the _l0 tensors, backward.* from the _l0_reverse ones
Both order the four gates i, f, g (Keras's c), o, so the blocks of 4H need no reordering.
to_torch puts the whole LSTM bias into bias_ih and zeros into bias_hh.

Each twinflow layer reads the PyTorch submodule of the same name unless `names` maps it
({"bilstm": "lstm"}); torch is imported only when these functions are called.
"""
import os

import numpy as np


def from_torch(source, spec, names=None, partial=False, dtype="float32"):
    """The twinflow model of `spec` (a twinflow.Model, or a YAML spec to build one from in
    `dtype`) with its weights taken from `source`, a torch.nn.Module or its state_dict.
    Strict as Model.set_weights: every parameter of the model must be found (partial=True
    keeps those that are not). Returns the model."""
    from .model import Model

    model = Model.from_yaml(spec, dtype=dtype) if isinstance(spec, (str, os.PathLike)) else spec
    state = source.state_dict() if hasattr(source, "state_dict") else dict(source)
    arrays = {key: _numpy(value) for key, value in state.items()}
    weights = {}
    for layer in model.layers:
        prefix = (names or {}).get(layer["name"], layer["name"])
        for param, value in _from_layer(layer, prefix, arrays, partial).items():
            weights[param] = value
    model.set_weights(weights, partial=partial)
    return model


def to_torch(model, module=None, names=None, strict=True):
    """The PyTorch state dict of a twinflow model's weights (tensors of its dtype), loaded
    into `module` with load_state_dict(strict=strict) when one is given (then returned)."""
    import torch

    weights = model.weights()
    state = {}
    for layer in model.layers:
        prefix = (names or {}).get(layer["name"], layer["name"])
        for key, value in _to_layer(layer, prefix, weights).items():
            state[key] = torch.from_numpy(np.ascontiguousarray(value))
    if module is None:
        return state
    module.load_state_dict(state, strict=strict)
    return module


def _numpy(value):
    if hasattr(value, "detach"):
        value = value.detach().cpu()
        if value.dtype.is_floating_point:
            value = value.double()
        return value.numpy()
    return np.asarray(value)


def _lstm_parts(layer):
    """(twinflow prefix, PyTorch suffix) of each LSTM direction of the layer."""
    name = layer["name"]
    if layer["op"] == "Bidirectional":
        return [(f"{name}.forward.", "_l0"), (f"{name}.backward.", "_l0_reverse")]
    return [(f"{name}.", "_l0")]


def _from_layer(layer, prefix, arrays, partial):
    name, op = layer["name"], layer["op"]

    def take(key):
        full = f"{prefix}.{key}"
        if full in arrays:
            return arrays[full]
        if partial:
            return None
        near = sorted(k for k in arrays if k.startswith(prefix + "."))
        raise ValueError(f"from_torch: layer '{name}' ({op}) needs '{full}' from PyTorch; "
                         f"the state dict has {near or 'nothing under ' + repr(prefix)}")

    out = {}

    def put(param, value):
        if value is not None:
            out[param] = value

    if op == "Embedding":
        put(f"{name}.embeddings", take("weight"))
    elif op == "Dense":
        weight = take("weight")
        put(f"{name}.kernel", None if weight is None else weight.T)
        if f"{name}.bias" in layer["params"]:
            put(f"{name}.bias", take("bias"))
    elif op in ("LSTM", "Bidirectional"):
        if any(k.startswith(f"{prefix}.weight_ih_l1") for k in arrays):
            raise ValueError(f"from_torch: '{prefix}' is a stacked LSTM (num_layers > 1); "
                             f"twinflow layer '{name}' is one layer")
        for ours, suffix in _lstm_parts(layer):
            w_ih, w_hh = take("weight_ih" + suffix), take("weight_hh" + suffix)
            put(ours + "kernel", None if w_ih is None else w_ih.T)
            put(ours + "recurrent_kernel", None if w_hh is None else w_hh.T)
            b_ih = arrays.get(f"{prefix}.bias_ih{suffix}")
            b_hh = arrays.get(f"{prefix}.bias_hh{suffix}")
            if b_ih is not None or b_hh is not None:  # an LSTM(bias=False) has neither
                put(ours + "bias", sum(b for b in (b_ih, b_hh) if b is not None))
            elif w_ih is not None:
                put(ours + "bias", np.zeros(w_ih.shape[0]))
    else:
        raise ValueError(f"from_torch: layer '{name}' is a {op}; Embedding, Dense, LSTM and "
                         "Bidirectional layers convert")
    return out


def _to_layer(layer, prefix, weights):
    name, op = layer["name"], layer["op"]
    if op == "Embedding":
        return {f"{prefix}.weight": weights[f"{name}.embeddings"]}
    if op == "Dense":
        out = {f"{prefix}.weight": weights[f"{name}.kernel"].T}
        if f"{name}.bias" in weights:
            out[f"{prefix}.bias"] = weights[f"{name}.bias"]
        return out
    if op in ("LSTM", "Bidirectional"):
        out = {}
        for ours, suffix in _lstm_parts(layer):
            bias = weights[ours + "bias"]
            out[f"{prefix}.weight_ih{suffix}"] = weights[ours + "kernel"].T
            out[f"{prefix}.weight_hh{suffix}"] = weights[ours + "recurrent_kernel"].T
            out[f"{prefix}.bias_ih{suffix}"] = bias
            out[f"{prefix}.bias_hh{suffix}"] = np.zeros_like(bias)
        return out
    raise ValueError(f"to_torch: layer '{name}' is a {op}; Embedding, Dense, LSTM and "
                     "Bidirectional layers convert")
