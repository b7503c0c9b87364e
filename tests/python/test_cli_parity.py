"""The Python package runs the command line's code: trained in float64 with one seed, both give
the same log and the same weights, bit for bit, and read each other's directories."""
import json
import sys

import numpy as np

import twinflow as tw

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import read_safetensors  # noqa: E402  (scripts/read_safetensors.py: numpy alone)


def without_seconds(entries):
    return [{k: v for k, v in e.items() if k != "seconds"} for e in entries]


def read_log(directory):
    return [json.loads(line) for line in (directory / "log.jsonl").read_text().splitlines()]


def test_fit_matches_train_bit_for_bit(tiny, tmp_path, run_twinflow):
    cli_dir, py_dir = tmp_path / "cli", tmp_path / "py"
    run_twinflow("train", tiny.spec, "--dtype", "float64", "--epochs", 3, "--seed", 5,
                 "--out", cli_dir, "--quiet")
    model = tw.Model.from_yaml(tiny.spec, dtype="float64")
    history = model.fit(epochs=3, seed=5, out=py_dir, verbose=0)  # the spec's data and val
    assert len(history) == 3
    assert without_seconds(history) == without_seconds(read_log(cli_dir))
    assert without_seconds(read_log(py_dir)) == without_seconds(read_log(cli_dir))
    cli_weights, _ = read_safetensors.load(cli_dir / "weights.safetensors")
    assert list(cli_weights) == sorted(model.weights())
    for name, w in model.weights().items():
        assert w.dtype == cli_weights[name].dtype == np.float64
        np.testing.assert_array_equal(w, cli_weights[name], err_msg=name)
    py_weights, _ = read_safetensors.load(py_dir / "weights.safetensors")
    for name, w in cli_weights.items():
        np.testing.assert_array_equal(py_weights[name], w, err_msg=name)
    assert (py_dir / "spec.yaml").read_text() == (cli_dir / "spec.yaml").read_text()
    assert (py_dir / "vocab.txt").read_text() == (cli_dir / "vocab.txt").read_text()


def test_a_directory_the_command_line_trained_loads_and_scores_as_it_does(tiny, tmp_path,
                                                                          run_twinflow):
    trained = tmp_path / "cli"
    run_twinflow("train", tiny.spec, "--dtype", "float64", "--out", trained, "--quiet")
    model = tw.Model.load(trained)
    texts = ["Blessed are the meek", "Jesus wept."]
    args = [a for t in texts for a in ("--text", t)]
    run_twinflow("embed", trained, *args, "--format", "npy", "--output", tmp_path / "v.npy")
    np.testing.assert_array_equal(model.embed(texts), np.load(tmp_path / "v.npy"))
    predicted = json.loads(run_twinflow("predict", trained, "--data", tiny.val, "--json").stdout)
    columns = tiny.rows(tiny.val)
    p = model.predict({"left": columns["left"], "right": columns["right"]})
    np.testing.assert_array_equal(p[:, 0], [row["score"] for row in predicted["predictions"]])
    evaluated = json.loads(run_twinflow("eval", trained, "--data", tiny.val, "--json").stdout)
    assert model.evaluate(tiny.val) == evaluated
