"""Mistakes give the command line's messages, as the exception types twinflow documents."""
import numpy as np
import pytest

import twinflow as tw

from conftest import ROOT

BAD = ROOT / "tests" / "specs" / "bad" / "several_errors_one_pass.yaml"


@pytest.fixture
def model(tiny):
    m = tw.Model.from_yaml(tiny.spec)
    m.fit(tiny.train, epochs=1, verbose=0)
    return m


def test_a_bad_spec_lists_every_error_with_its_place(run_twinflow):
    with pytest.raises(tw.SpecError) as raised:
        tw.Model.from_yaml(BAD)
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert f"{BAD}:11:35: error: unknown key 'dimm' in layers.emb (Embedding) (did you mean " \
           "'dim'?)" in message
    assert message.endswith(f"{BAD}: 3 errors\n")
    assert message == run_twinflow("check", BAD, check=False).stderr


def test_a_missing_spec_file_is_a_spec_error(tmp_path):
    with pytest.raises(tw.SpecError, match="nothing.yaml"):
        tw.Model.from_yaml(tmp_path / "nothing.yaml")


def test_predict_names_the_input_its_shape_and_dtype(model):
    ids = np.ones((4, 12), dtype=np.int32)
    cases = [
        ({"left": ids.astype(np.float64), "right": ids},
         "predict: input 'left' takes token ids [N, 12] (int32 or int64), got float64 [4, 12]"),
        ({"left": ids, "right": np.ones((4, 30), dtype=np.int64)},
         "predict: input 'right' takes token ids [N, 12] (int32 or int64), got int64 [4, 30]"),
        ({"left": ids, "right": ids[0]},
         "predict: input 'right' takes token ids [N, 12] (int32 or int64), got int32 [12]"),
        ({"left": ids}, "predict: input 'right' (token ids [N, 12]) is missing"),
        ({"left": ids, "rigth": ids},
         "predict: the model has no input 'rigth' (did you mean 'right'?)"),
        ({"left": ids, "right": ids[:3]},
         "predict: input 'right' has 3 rows, the inputs before it 4"),
        ({"left": ids, "right": ids, "label": np.ones((4, 2))},
         "predict: input 'label' takes numbers [4, 1], got float64 [4, 2]"),
        ({"left": ids, "right": ids * 2**40},
         "predict: input 'right' holds token id 1099511627776, beyond int32"),
    ]
    for inputs, message in cases:
        with pytest.raises(ValueError) as raised:
            model.predict({k: v for k, v in inputs.items()})
        assert str(raised.value).startswith(message), (str(raised.value), message)


def test_a_token_id_beyond_the_embedding_is_named(model):
    ids = np.full((2, 12), 5000, dtype=np.int32)
    with pytest.raises(ValueError, match="5000.*vocabulary"):
        model.predict({"left": ids, "right": ids})


def test_fit_arrays_are_checked_as_rows(tiny):
    model = tw.Model.from_yaml(tiny.spec)
    texts = ["one text", "another text"]
    with pytest.raises(ValueError, match=r"column 'label'\[1\]: expected a label 0 or 1, found 2"):
        model.fit({"left": texts, "right": texts}, [1, 2], verbose=0)
    with pytest.raises(ValueError, match=r"no input is named 'lable' \(did you mean 'label'\?\)"):
        model.fit({"left": texts, "right": texts, "lable": [1, 0]}, verbose=0)
    with pytest.raises(ValueError, match="input 'left' takes a list of texts, got a str"):
        model.fit({"left": "one text", "right": texts}, [1, 0], verbose=0)
    with pytest.raises(ValueError, match="labels given twice"):
        model.fit({"left": texts, "right": texts, "label": [1, 0]}, [1, 0], verbose=0)


def test_a_bad_data_row_names_its_file_and_line(tiny):
    lines = tiny.train.read_text().splitlines()
    lines[3] = "only one field"
    tiny.train.write_text("\n".join(lines) + "\n")
    model = tw.Model.from_yaml(tiny.spec)
    with pytest.raises(ValueError) as raised:
        model.fit(tiny.train, verbose=0)
    assert str(raised.value).startswith(f"{tiny.train}:4: expected 3 tab-separated fields")
    assert str(raised.value).endswith("(skip_bad_rows=True leaves such rows out and counts them)")
    model.fit(tiny.train, val=False, epochs=1, skip_bad_rows=True, verbose=0)


def test_set_weights_is_strict_as_train_init(model):
    weights = model.weights()
    del weights["head.bias"]
    weights["head.kernal"] = np.ones((1, 1))
    before = model.weights()
    with pytest.raises(ValueError) as raised:
        model.set_weights(weights)
    assert str(raised.value) == ("set_weights: missing from the file: head.bias; not in the "
                                 "model: head.kernal")
    with pytest.raises(ValueError, match=r"lstm.kernel: the file has \[2, 2\], the model \[8, 32\]"):
        model.set_weights({"lstm.kernel": np.zeros((2, 2))}, partial=True)
    for name, w in before.items():
        np.testing.assert_array_equal(model.weights()[name], w)


def test_directories_and_files(tiny, tmp_path):
    with pytest.raises(OSError, match="not a directory"):
        tw.Model.load(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OSError, match="spec.yaml: missing"):
        tw.Model.load(tmp_path / "empty")
    with pytest.raises(ValueError, match="no vocabulary"):
        tw.Model.from_yaml(tiny.spec).embed(["text"])
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(OSError, match="--out .*other"):
        tw.Model.from_yaml(tiny.spec).fit(tiny.train, out=other, verbose=0)
    assert (other / "notes.txt").read_text() == "mine"


def test_fit_options_are_checked_as_the_command_line_checks_them(tiny):
    model = tw.Model.from_yaml(tiny.spec)
    for options, message in [({"epochs": 0}, "fit: epochs must be at least 1, not 0"),
                             ({"lr": -1.0}, "fit: lr must be above 0, not -1"),
                             ({"optimizer": "adamw"},
                              "fit: optimizer must be one of sgd, adam, lazy_adam, rmsprop, adagrad, not "
                              "'adamw'"),
                             ({"verbose": 3}, "fit: verbose must be 0, 1 or 2, not 3")]:
        with pytest.raises(ValueError) as raised:
            model.fit(tiny.train, **options)
        assert str(raised.value) == message
