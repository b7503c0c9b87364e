"""Ctrl-C during fit: the step is finished and saved, the model keeps its weights, and
KeyboardInterrupt comes out; the run resumes to the weights of a run never stopped."""
import json
import os
import signal
import threading

import numpy as np
import pytest

import twinflow as tw


def test_ctrl_c_saves_the_step_and_resumes_bit_for_bit(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    model = tw.Model.from_yaml(tiny.spec, dtype="float64")
    timers = []

    def interrupt_soon(log):
        # SIGINT in the middle of a later epoch, while the trainer computes without the GIL.
        if log["epoch"] == 1:
            timers.append(threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)))
            timers[0].start()

    with pytest.raises(KeyboardInterrupt) as raised:
        model.fit(tiny.train, val=False, epochs=100000, out=out, verbose=0,
                  callback=interrupt_soon)
    timers[0].join()
    assert "training interrupted at step" in str(raised.value)
    assert f"{out} holds this step" in str(raised.value)
    assert f"continue with: model.fit(..., resume='{out}')" in capsys.readouterr().err
    state = json.loads((out / "state.json").read_text())
    assert state["step"] > 8  # past the first epoch's 8 batches
    assert len(model.history) >= 1
    stopped = model.weights()
    initial = tw.Model.from_yaml(tiny.spec, dtype="float64").weights()
    assert not np.array_equal(stopped["lstm.kernel"], initial["lstm.kernel"])
    # The directory holds the step the model stopped at.
    saved = tw.Model.load(out)
    for name, w in stopped.items():
        np.testing.assert_array_equal(saved.weights()[name], w, err_msg=name)

    # Resumed to the end of the epoch it stopped in, it ends where an unstopped run ends.
    epochs = state["epoch"] + 1
    resumed = tw.Model.from_yaml(tiny.spec, dtype="float64")
    resumed.fit(tiny.train, val=False, epochs=epochs, resume=out, verbose=0)
    straight = tw.Model.from_yaml(tiny.spec, dtype="float64")
    straight.fit(tiny.train, val=False, epochs=epochs, verbose=0)
    for name, w in straight.weights().items():
        np.testing.assert_array_equal(resumed.weights()[name], w, err_msg=name)


def test_an_exception_in_the_callback_stops_training_and_propagates(tiny):
    model = tw.Model.from_yaml(tiny.spec)

    def fail(log):
        if log["epoch"] == 2:
            raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        model.fit(tiny.train, val=False, epochs=5, verbose=0, callback=fail)
    assert [h["epoch"] for h in model.history] == [1, 2]
