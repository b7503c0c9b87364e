"""The calls a notebook makes: build, summary, fit (files and arrays), predict, embed, evaluate,
weights, gradcheck, save and load."""
import json

import numpy as np
import pytest

import twinflow as tw

from conftest import ROOT


def test_summary_is_the_check_table(tiny, run_twinflow):
    model = tw.Model.from_yaml(tiny.spec)
    printed = run_twinflow("check", tiny.spec).stdout
    assert printed == model.summary() + f"{tiny.spec}: OK\n"
    assert model.name == "tiny_pairs"
    assert model.inputs[0] == {"name": "left", "shape": (12,), "dtype": "int32"}
    assert model.inputs[2] == {"name": "label", "shape": (1,), "dtype": "float32"}
    assert model.outputs == ["pred"] and model.target == "label"
    assert repr(model) == "<twinflow.Model 'tiny_pairs' (left, right, label) float32>"


def test_fit_on_files_returns_the_log_and_shows_progress(tiny, capsys):
    model = tw.Model.from_yaml(tiny.spec)
    logs = []
    history = model.fit(tiny.train, val=tiny.val, epochs=2, callback=logs.append)
    assert [h["epoch"] for h in history] == [1, 2]
    assert logs == history and model.history == history
    assert set(history[0]) == {"epoch", "loss", "accuracy", "auc", "val_loss", "val_accuracy",
                               "val_auc", "seconds"}
    assert history[1]["loss"] < history[0]["loss"]
    out, err = capsys.readouterr()
    assert "vocabulary: " in out and "data: 256 training rows" in out
    assert "epoch 2/2: loss " in out
    # Not a terminal: the command line's plain progress lines, on stderr.
    assert "epoch 1/2 8/8 " in err and "samples/s" in err


def test_verbose_0_prints_nothing_and_2_the_epoch_lines(tiny, capsys):
    model = tw.Model.from_yaml(tiny.spec)
    model.fit(tiny.train, val=False, epochs=1, verbose=0)
    assert capsys.readouterr() == ("", "")
    model.fit(tiny.train, val=False, epochs=1, verbose=2)
    out, err = capsys.readouterr()
    assert out.startswith("epoch 1/1: loss ") and out.count("\n") == 1 and err == ""


def test_fit_on_texts_and_on_ids_trains_the_same_model(tiny):
    columns = tiny.rows(tiny.train)
    labels = np.array(columns.pop("label"))
    by_texts = tw.Model.from_yaml(tiny.spec, dtype="float64")
    by_texts.fit(columns, labels, epochs=2, verbose=0)
    by_file = tw.Model.from_yaml(tiny.spec, dtype="float64")
    by_file.fit(tiny.train, val=False, epochs=2, verbose=0)
    for name, w in by_file.weights().items():
        np.testing.assert_array_equal(by_texts.weights()[name], w, err_msg=name)
    # The same rows as token ids through that vocabulary, labels inside the dict, int64 ids.
    ids = {name: by_file.encode(texts, name).astype(np.int64) for name, texts in columns.items()}
    by_ids = tw.Model.from_yaml(tiny.spec, dtype="float64")
    by_ids.fit({**ids, "label": labels[:, None]}, epochs=2, verbose=0)
    for name, w in by_file.weights().items():
        np.testing.assert_array_equal(by_ids.weights()[name], w, err_msg=name)
    assert by_ids.vocabulary == []  # ids come with no vocabulary
    with pytest.raises(ValueError, match="embed: the model has no vocabulary"):
        by_ids.embed(["a text"])


def test_predict_takes_ids_or_texts_and_returns_the_output(tiny):
    model = tw.Model.from_yaml(tiny.spec)
    model.fit(tiny.train, epochs=1, verbose=0)
    columns = tiny.rows(tiny.val)
    left = model.encode(columns["left"], "left")
    right = model.encode(columns["right"], "right")
    assert left.dtype == np.int32 and left.shape == (64, 12)
    p = model.predict({"left": left, "right": right})
    assert p.dtype == np.float32 and p.shape == (64, 1)
    assert np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(model.predict({"left": left, "right": right}, batch_size=5), p)
    np.testing.assert_array_equal(
        model.predict({"left": columns["left"], "right": columns["right"]}), p)
    np.testing.assert_array_equal(
        model.predict({"left": left.astype(np.int64), "right": right, "label": np.ones(64)}), p)
    # The score pairs the two texts: swapping them changes nothing for a cosine similarity.
    np.testing.assert_allclose(model.predict({"left": right, "right": left}), p, rtol=1e-5)


def test_embed_gives_the_tower_vectors(tiny):
    model = tw.Model.from_yaml(tiny.spec, dtype="float64")
    model.fit(tiny.train, epochs=1, verbose=0)
    v = model.embed(["blessed are the meek", "jesus wept", "blessed are the meek"])
    assert v.dtype == np.float64 and v.shape == (3, 8)
    np.testing.assert_array_equal(v[0], v[2])
    assert not np.array_equal(v[0], v[1])


def test_evaluate_gives_eval_json(tiny):
    model = tw.Model.from_yaml(tiny.spec)
    model.fit(tiny.train, epochs=1, verbose=0)
    result = model.evaluate(tiny.val)
    assert result["rows"] == 64 and result["family"] == "pair"
    assert 0 < result["roc_auc"] <= 1 and result["loss"] > 0
    columns = tiny.rows(tiny.val)
    labels = columns.pop("label")
    assert model.evaluate(columns, labels) == {**result, "file": "evaluate"}


def test_weights_round_trip_and_fit_continues_from_them(tiny):
    model = tw.Model.from_yaml(tiny.spec, dtype="float64")
    w = model.weights()
    assert list(w) == ["emb.embeddings", "lstm.kernel", "lstm.recurrent_kernel", "lstm.bias",
                       "head.kernel", "head.bias"]
    assert w["lstm.kernel"].shape == (8, 32) and w["head.kernel"].dtype == np.float64
    np.testing.assert_array_equal(w["head.kernel"], [[1.0]])  # kernel_initializer: ones
    w["head.kernel"][0, 0] = 3.0
    assert model.weights()["head.kernel"][0, 0] == 1.0  # a copy
    model.set_weights(w)
    assert model.weights()["head.kernel"][0, 0] == 3.0
    model.set_weights({"head.bias": np.array([0.5], dtype=np.float32)}, partial=True)
    assert model.weights()["head.bias"][0] == 0.5
    assert model.weights()["head.kernel"][0, 0] == 3.0
    # A second fit continues from the first's weights.
    model.fit(tiny.train, val=False, epochs=1, verbose=0)
    once = model.weights()
    model.fit(tiny.train, val=False, epochs=1, verbose=0)
    assert not np.array_equal(model.weights()["lstm.kernel"], once["lstm.kernel"])


def test_gradcheck_passes_and_prints_the_command_table(tiny, run_twinflow):
    result = tw.Model.from_yaml(tiny.spec).gradcheck(probes=20)
    assert result and result.passed and result.failures == []
    assert result.worst_error < 1e-6 and result.tolerance == 1e-6
    assert [t["name"] for t in result.tensors][:2] == ["emb.embeddings", "lstm.kernel"]
    assert str(result) == run_twinflow("gradcheck", tiny.spec, "--probes", 20).stdout
    strict = tw.Model.from_yaml(tiny.spec).gradcheck(probes=4, tolerance=1e-30)
    assert not strict and strict.failures and "FAIL" in str(strict)


def test_save_and_load_keep_everything_a_directory_holds(tiny, tmp_path, run_twinflow):
    model = tw.Model.from_yaml(tiny.spec, dtype="float64")
    model.fit(tiny.train, val=tiny.val, epochs=2, verbose=0)
    model.save(tmp_path / "saved")
    loaded = tw.Model.load(tmp_path / "saved")
    assert loaded.dtype == "float64" and loaded.vocabulary == model.vocabulary
    assert loaded.history == model.history
    for name, w in model.weights().items():
        np.testing.assert_array_equal(loaded.weights()[name], w)
    texts = ["love your enemies", "Jesus wept."]
    np.testing.assert_array_equal(loaded.embed(texts), model.embed(texts))
    # The command line reads what Python wrote.
    cli = json.loads(run_twinflow("eval", tmp_path / "saved", "--data", tiny.val, "--json").stdout)
    assert cli == model.evaluate(tiny.val)
    with pytest.raises(OSError, match="not empty.*overwrite=True"):
        model.save(tmp_path / "saved")
    model.save(tmp_path / "saved", overwrite=True)


def test_quick_start_spec_builds(tmp_path):
    model = tw.Model.from_yaml(ROOT / "models" / "cosine_siamese.yaml")
    assert "Total params: 2,060,402" in model.summary()
    assert model.weights()["emb.embeddings"].shape == (20000, 100)
