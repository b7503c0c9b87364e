"""from_torch and to_torch: the same network built in PyTorch gives the same outputs, in float32,
once its weights are copied over (either way).

The network: a shared Embedding (padding id 0), a shared LSTM over packed sequences (final h;
both directions concatenated for the bidirectional one), a Dense(5, tanh) projection,
exp(-(1 - cosine)) of the two texts and a Dense(1, sigmoid) head; both the score and the first
text's vector are compared. Random weights and ids with random lengths: a gate order, a
transposition or a bias mixed up changes the outputs.
TWINFLOW_TORCH_TESTS=0 skips these tests where python3-torch is not installed.
"""
import os

import numpy as np
import pytest

import twinflow as tw

if os.environ.get("TWINFLOW_TORCH_TESTS") == "0":
    torch = pytest.importorskip("torch")
else:
    import torch  # python3-torch (scripts/install-deps.sh)

from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

VOCAB, DIM, UNITS, STEPS, PROJ = 50, 8, 6, 10, 5

SPEC = """\
model: torch_twin
inputs:
  left:  {{shape: [{steps}], dtype: int32}}
  right: {{shape: [{steps}], dtype: int32}}
  label: {{shape: [1], dtype: float32}}
layers:
  emb: {{op: Embedding, vocab: {vocab}, dim: {dim}, mask_zero: true}}
  rnn: {rnn}
  proj: {{op: Dense, units: {proj}, activation: tanh}}
  similarity: {{op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}}
  head: {{op: Dense, units: 1, activation: sigmoid}}
graph:
  x1: proj(rnn(emb(left)))
  x2: proj(rnn(emb(right)))
  pred: head(similarity(x1, x2))
outputs: [pred, x1]
loss: {{op: binary_crossentropy, pred: pred, target: label}}
"""
RNN = {
    False: f"{{op: LSTM, units: {UNITS}}}",
    True: f"{{op: Bidirectional, layer: {{op: LSTM, units: {UNITS}}}}}",
}


class TorchTwin(nn.Module):
    def __init__(self, bidirectional):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, DIM, padding_idx=0)
        self.rnn = nn.LSTM(DIM, UNITS, batch_first=True, bidirectional=bidirectional)
        self.proj = nn.Linear(UNITS * (2 if bidirectional else 1), PROJ)
        self.head = nn.Linear(1, 1)

    def encode(self, ids):
        lengths = (ids != 0).sum(dim=1)
        packed = pack_padded_sequence(self.emb(ids), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, (h, _) = self.rnn(packed)
        return torch.tanh(self.proj(torch.cat(list(h), dim=1)))

    def forward(self, left, right):
        x1, x2 = self.encode(left), self.encode(right)
        similarity = torch.exp(-(1 - nn.functional.cosine_similarity(x1, x2, dim=1)))
        return torch.sigmoid(self.head(similarity.unsqueeze(1)))


def random_ids(rng, rows):
    ids = rng.integers(1, VOCAB, size=(rows, STEPS))
    lengths = rng.integers(1, STEPS + 1, size=rows)
    ids[np.arange(STEPS)[None, :] >= lengths[:, None]] = 0
    return ids


@pytest.fixture(params=[True, False], ids=["bidirectional", "lstm"])
def pair(request, tmp_path):
    bidirectional = request.param
    spec = tmp_path / "twin.yaml"
    spec.write_text(SPEC.format(steps=STEPS, vocab=VOCAB, dim=DIM, proj=PROJ,
                                rnn=RNN[bidirectional]))
    torch.manual_seed(7)
    module = TorchTwin(bidirectional)
    with torch.no_grad():  # a bias far from zero, so that bias_ih + bias_hh matters
        for name, p in module.rnn.named_parameters():
            if "bias" in name:
                p.uniform_(-0.5, 0.5)
    return spec, module.eval()


def outputs(module, left, right):
    """What the twinflow model's predict gives: the score and the first text's vector."""
    with torch.no_grad():
        left, right = torch.from_numpy(left), torch.from_numpy(right)
        return {"pred": module(left, right).numpy(), "x1": module.encode(left).numpy()}


def largest_difference(ours, theirs):
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name].shape == theirs[name].shape, name
    return max(float(np.max(np.abs(ours[name] - theirs[name]))) for name in ours)


def test_from_torch_matches_pytorch_to_1e_6(pair):
    spec, module = pair
    model = tw.from_torch(module, spec)
    assert model.dtype == "float32"
    rng = np.random.default_rng(1)
    left, right = random_ids(rng, 64), random_ids(rng, 64)
    ours = model.predict({"left": left, "right": right})
    theirs = outputs(module, left, right)
    assert ours["pred"].shape == (64, 1) and ours["x1"].shape == (64, PROJ)
    assert largest_difference(ours, theirs) <= 1e-6
    # The state dict works as the module does.
    again = tw.from_torch(module.state_dict(), tw.Model.from_yaml(spec))
    np.testing.assert_array_equal(again.predict({"left": left, "right": right})["pred"],
                                  ours["pred"])


def test_to_torch_gives_pytorch_the_model(pair, tmp_path):
    spec, reference = pair
    model = tw.Model.from_yaml(spec)
    fresh = TorchTwin(bidirectional="Bidirectional" in spec.read_text()).eval()
    tw.to_torch(model, fresh)
    rng = np.random.default_rng(2)
    left, right = random_ids(rng, 32), random_ids(rng, 32)
    assert largest_difference(model.predict({"left": left, "right": right}),
                              outputs(fresh, left, right)) <= 1e-6
    state = tw.to_torch(model)
    key = "rnn.weight_ih_l0"
    np.testing.assert_array_equal(state[key].numpy(), model.weights()["rnn.kernel" if
                                  "rnn.kernel" in model.weights() else "rnn.forward.kernel"].T)


def test_a_layer_pytorch_lacks_is_named(pair):
    spec, module = pair
    state = {k: v for k, v in module.state_dict().items() if not k.startswith("proj.")}
    with pytest.raises(ValueError, match="layer 'proj' \\(Dense\\) needs 'proj.weight'"):
        tw.from_torch(state, spec)
    model = tw.from_torch(state, spec, partial=True)
    np.testing.assert_array_equal(model.weights()["emb.embeddings"],
                                  module.emb.weight.detach().numpy())
    renamed = {k.replace("rnn.", "encoder."): v for k, v in module.state_dict().items()}
    tw.from_torch(renamed, spec, names={"rnn": "encoder"})
