"""twinflow from Python: Siamese and triplet networks declared in YAML, with NumPy arrays in and
out.

    import twinflow as tw
    model = tw.Model.from_yaml("models/cosine_siamese.yaml")
    print(model.summary())
    history = model.fit("data/pairs_train.tsv", val="data/pairs_val.tsv", epochs=3)
    p = model.predict({"left": ids1, "right": ids2})      # [N, 1]
    v = model.embed(["blessed are the meek"])             # [1, 100]
    model.save("runs/m"); tw.Model.load("runs/m")

The compiled part (twinflow._core) is the same C++ as the `twinflow` command line: the same
checks, training, files and error messages. Errors: a spec with errors raises SpecError (a
ValueError) listing every diagnostic with its file:line:column; bad data, ids, shapes and
arguments raise ValueError; a model directory missing, damaged or of another spec, and files
that cannot be read or written, raise OSError; a run stopped by the NaN/Inf guard raises
RuntimeError; Ctrl-C during fit raises KeyboardInterrupt once the step is saved.

PyTorch weights convert both ways with from_torch and to_torch (twinflow/torch_weights.py),
which import torch only when called.
"""
from ._core import SpecError, __version__
from .model import GradcheckResult, Model
from .torch_weights import from_torch, to_torch

__all__ = ["Model", "GradcheckResult", "SpecError", "from_torch", "to_torch", "__version__"]
