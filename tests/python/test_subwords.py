"""An Embedding with subwords from Python: texts are cut into n-grams wherever the model reads
them (fit, predict, embed, evaluate, after load); token ids alone cannot carry the n-grams."""
import json

import numpy as np
import pytest

import twinflow as tw


def subword_spec(tiny):
    spec = tiny.spec.read_text(encoding="utf-8").replace(
        "mask_zero: true,", "mask_zero: true, subwords: {buckets: 5000},")
    path = tiny.dir / "subwords.yaml"
    path.write_text(spec, encoding="utf-8")
    return path


def test_subword_model_fits_predicts_embeds_and_reloads(tiny, tmp_path, run_twinflow):
    model = tw.Model.from_yaml(subword_spec(tiny), dtype="float64")
    assert model.weights()["emb.embeddings"].shape == (3000 + 5000, 8)
    model.fit(tiny.train, val=tiny.val, epochs=1, verbose=0)
    columns = tiny.rows(tiny.val)
    p = model.predict({"left": columns["left"], "right": columns["right"]})
    assert p.shape == (64, 1) and np.all((p > 0) & (p < 1))
    with pytest.raises(ValueError, match="input 'left' feeds an Embedding with subwords"):
        model.predict({"left": model.encode(columns["left"], "left"),
                       "right": model.encode(columns["right"], "right")})
    # Two words the vocabulary never saw get vectors of their own.
    v = model.embed(["zorblaxing", "quiffle"])
    assert not np.allclose(v[0], v[1])
    model.save(tmp_path / "saved")
    loaded = tw.Model.load(tmp_path / "saved")
    np.testing.assert_array_equal(loaded.embed(["zorblaxing", "quiffle"]), v)
    np.testing.assert_array_equal(
        loaded.predict({"left": columns["left"], "right": columns["right"]}), p)
    cli = json.loads(run_twinflow("eval", tmp_path / "saved", "--data", tiny.val, "--json").stdout)
    assert cli == model.evaluate(tiny.val)
