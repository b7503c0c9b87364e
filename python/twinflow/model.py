"""twinflow.Model: a model declared in YAML, trained and used from Python.

Arguments are checked and put in one shape here; the work happens in twinflow._core
(python/bindings/), which runs the command line's code with Python's GIL released.
"""
import dataclasses
import json
import os

from . import _core


def _path(value):
    """A path argument as str (or "" for None), so that pathlib.Path works too."""
    return "" if value is None else os.fspath(value)


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


class Model:
    """A model built from a YAML spec (docs/spec.md), or loaded from a saved directory.

    Its weights start at the spec's initial values under train.seed; fit trains them (and later
    fits continue from them), set_weights replaces them. The dtype is float32, or float64 for
    runs that repeat bit for bit and match the command line's `--dtype float64` exactly.
    """

    def __init__(self, core):
        self._core = core
        self.history = [json.loads(line) for line in core.log]  # the run's log.jsonl

    @classmethod
    def from_yaml(cls, path, dtype="float32", vocab=None):
        """Builds the spec with `twinflow check`'s validation; a spec with errors raises
        SpecError (a ValueError) whose message lists every error with file:line:column.

        vocab: a vocabulary file (one token per line) or a list of tokens, so that texts can
        be predicted and embedded before any fit; fit on texts otherwise builds one from them.
        """
        model = cls(_core.Model.from_yaml(_path(path), dtype))
        if vocab is not None:
            if _is_path(vocab):
                model._core.read_vocabulary(os.fspath(vocab))
            else:
                model._core.vocabulary = list(vocab)
        return model

    @classmethod
    def load(cls, path):
        """A model directory as `twinflow train --out DIR` or Model.save writes it."""
        return cls(_core.Model.load(_path(path)))

    name = property(lambda self: self._core.name)
    dtype = property(lambda self: self._core.dtype, doc="'float32' or 'float64'")
    inputs = property(lambda self: self._core.inputs,
                      doc="[{'name', 'shape' (without the batch axis), 'dtype'}], in spec order")
    outputs = property(lambda self: self._core.outputs, doc="the names predict returns")
    target = property(lambda self: self._core.target,
                      doc="the input the loss compares with (a pair model's label), or None")
    layers = property(lambda self: self._core.layers,
                      doc="[{'name', 'op', 'params'}] for each layer that owns parameters")
    vocabulary = property(lambda self: self._core.vocabulary,
                          doc="the tokens of ids 2, 3, ... (0 is padding, 1 out-of-vocabulary)")

    def __repr__(self):
        inputs = ", ".join(i["name"] for i in self.inputs)
        return f"<twinflow.Model {self.name!r} ({inputs}) {self.dtype}>"

    def summary(self):
        """The table `twinflow check` prints, and which nodes share each layer."""
        return self._core.summary()

    def fit(self, data=None, labels=None, *, val=None, epochs=None, batch_size=None, lr=None,
            optimizer=None, seed=None, shuffle=True, out=None, resume=None, overwrite=False,
            init=None, init_partial=False, accumulate=1, skip_bad_rows=False, verbose=1,
            callback=None):
        """Trains as `twinflow train` does; returns this fit's history, one dict per epoch as
        log.jsonl holds it. model.history is the model's run log: these epochs (after those
        before them when resuming), also after an interruption.

        data: a TSV file whose columns are named as the inputs, or a dict {input: values} with
          texts (lists of str) or token ids ([N, T] integer arrays) for the text inputs and
          numbers for the others; labels may come apart, as the second argument. None: the
          spec's train.data.
        val: the same kinds, or (dict, labels). None: the spec's train.val when data is a file,
          none for arrays; False: none.
        epochs, batch_size, lr, optimizer, seed, shuffle: override the spec's train: section
          (the saved spec records them, as the command line's options do).
        Texts go through the model's vocabulary when it has one (from an earlier fit, load or
        from_yaml(vocab=...): its Embedding rows are indexed by it); else one is built from
        the training texts, as `twinflow train` builds it. Token ids need none.
        out: write the run there as `train --out` does (checkpoints, log.jsonl, the weights);
          resume: continue the run saved in that directory; overwrite, init, init_partial,
          accumulate, skip_bad_rows: as the command line's options of those names.
        verbose: 1 shows the command line's progress bar (on stderr) and lines, 2 only the
          epoch lines, 0 nothing but warnings.
        callback: called after each epoch with its log dict; an exception in it stops training
          (after the epoch is saved) and propagates.

        Ctrl-C stops after the current step, saves it when out is given, keeps its weights in
        the model and raises KeyboardInterrupt.
        """
        try:
            return self._core.fit(
                self._columns(data, labels, "fit"), self._val(val), callback, epochs=epochs,
                batch_size=batch_size, lr=lr, optimizer=optimizer, seed=seed, shuffle=shuffle,
                out=_path(out), resume=_path(resume), overwrite=overwrite, init=_path(init),
                init_partial=init_partial, accumulate=accumulate, skip_bad_rows=skip_bad_rows,
                verbose=int(verbose))
        finally:
            self.history = [json.loads(line) for line in self._core.log]

    def encode(self, texts, input=None):
        """Token ids [N, T] (int32) of texts as a text input reads them: tokenized, mapped
        through the vocabulary, padded or cut to the input's length T. input: its name
        (default: the first text input)."""
        if isinstance(texts, (str, bytes)):
            raise ValueError("encode takes a list of texts; for one text, encode([text])")
        if input is None:
            input = next((i["name"] for i in self.inputs if i["dtype"] == "int32"), "")
        return self._core.encode(list(texts), input)

    def predict(self, inputs, batch_size=None):
        """The model's output: {input: token ids (an int32 or int64 array [N, T]) or texts}
        (real inputs such as a label may be left out) -> float array [N, ...] in the model's
        dtype; a dict of arrays for a model with several outputs. Texts need a vocabulary, as
        for embed."""
        if not isinstance(inputs, dict):
            raise ValueError("predict takes a dict {input name: token ids [N, T]}, got "
                             f"{type(inputs).__name__}")
        return self._core.predict(inputs, batch_size)

    def embed(self, texts, batch_size=None):
        """The tower's vectors of texts ([N, dim]): what `twinflow embed` prints. Needs a
        vocabulary: fit on texts, load a trained directory, or from_yaml(..., vocab=...)."""
        if isinstance(texts, (str, bytes)):
            raise ValueError("embed takes a list of texts; for one text, embed([text])")
        return self._core.embed(list(texts), batch_size)

    def evaluate(self, data, labels=None, batch_size=None, skip_bad_rows=False):
        """Scores a data file or dict of arrays as `twinflow eval DIR --data F --json` does:
        the same keys (loss, roc_auc, accuracy at the decision threshold chosen on validation
        data when the model was trained, threshold, threshold_source, best_f1 for pair models;
        ordered, recall for triplet models)."""
        return self._core.evaluate(self._columns(data, labels, "evaluate"), batch_size,
                                   skip_bad_rows)

    def weights(self):
        """{parameter name: array} in the model's dtype, with Keras layouts (docs/spec.md);
        copies, which later training leaves unchanged."""
        return self._core.weights()

    def set_weights(self, weights, partial=False):
        """Replaces the weights by name, as `train --init`: every parameter of the model and
        nothing else, each of its shape, or nothing changes (ValueError naming each problem).
        partial=True keeps the parameters the dict lacks and ignores names the model lacks;
        shapes must still match."""
        self._core.set_weights(dict(weights), partial)

    def gradcheck(self, batch=2, seqlen=5, vocab=20, probes=0, tolerance=1e-6, seed=20261130,
                  training=False):
        """`twinflow gradcheck` on this model's spec: every trainable parameter's gradient
        against central finite differences in float64, on a small random batch and with the
        spec's random initial parameters (id inputs cut to seqlen steps, Embeddings to vocab
        rows). Returns a GradcheckResult, true when every parameter passes."""
        return GradcheckResult.from_dict(self._core.gradcheck(
            batch, seqlen, vocab, probes, tolerance, seed, training))

    def save(self, path, overwrite=False):
        """Writes the model directory the command line reads (spec.yaml, vocab.txt,
        weights.safetensors, state.json, log.jsonl): eval, embed, predict, similar and
        Model.load take it. A directory that holds anything needs overwrite=True, which
        replaces only the run's files. The run fit(out=DIR) writes is the one that
        `--resume` continues: save keeps no optimizer state."""
        self._core.save(_path(path), overwrite)

    def _columns(self, data, labels, what):
        """data as the core takes it: a path as str, or a dict with the labels merged in."""
        if data is None or _is_path(data):
            if labels is not None:
                raise ValueError(f"{what}: labels go with a dict of arrays, not with a file")
            return None if data is None else os.fspath(data)
        if not isinstance(data, dict):
            raise ValueError(f"{what}: data must be a TSV file or a dict {{input name: values}}, "
                             f"got {type(data).__name__}")
        if labels is None:
            return data
        target = self.target
        if target is None:
            raise ValueError(f"{what}: model {self.name!r} has no label input to give labels to")
        if target in data:
            raise ValueError(f"{what}: labels given twice: as the argument and as data[{target!r}]")
        return {**data, target: labels}

    def _val(self, val):
        if val is False:
            return False
        if isinstance(val, tuple):
            if len(val) != 2:
                raise ValueError("fit: val=(inputs, labels) takes two items, "
                                 f"got {len(val)}")
            return self._columns(val[0], val[1], "fit val")
        return self._columns(val, None, "fit val")


@dataclasses.dataclass
class GradcheckResult:
    """A whole-model gradient check: true when every parameter passed. str() gives the table
    `twinflow gradcheck` prints; failures lists the parameters that did not pass."""

    passed: bool
    worst_error: float
    tolerance: float
    noise: float
    tensors: list
    warnings: list
    text: str

    @classmethod
    def from_dict(cls, report):
        return cls(**report)

    @property
    def failures(self):
        return [t for t in self.tensors if not t["passed"]]

    def __bool__(self):
        return self.passed

    def __str__(self):
        return self.text
