#!/usr/bin/env python3
"""`mpirun -np N twinflow train` trains the model one process trains.

A small float64 run with dropout, trained by one process and by 2 and 3 under mpirun, must end
with the same weights within 1e-12, relative to each tensor's largest |w|: the processes add
their shares' gradients in another order than one process adds its rows', so the last bits
differ; the rows, their dropout masks and the optimizer steps are the same. A run started on 2 processes and
resumed on 3 ends the same way. A process given bad data stops every process with its message,
and processes given different vocabularies are refused at the start. The processes sum the
Embedding's gradient by the rows their texts hold, which the line they print at the end says.

Usage: mpi_test.py TWINFLOW SOURCE_DIR WORK_DIR
"""

import argparse
import json
import pathlib
import struct
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "reliability"))
from harness import SmallRun, check, state_of  # noqa: E402

MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
TOLERANCE = 1e-12


def read_safetensors(path):
    data = pathlib.Path(path).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        check(entry["dtype"] == "F64", f"{path}: {name} is {entry['dtype']}, expected F64")
        begin, end = entry["data_offsets"]
        raw = data[8 + length + begin:8 + length + end]
        tensors[name] = struct.unpack(f"<{len(raw) // 8}d", raw)
    return tensors


def largest_difference(run_dir, reference_dir):
    ours = read_safetensors(pathlib.Path(run_dir) / "weights.safetensors")
    theirs = read_safetensors(pathlib.Path(reference_dir) / "weights.safetensors")
    check(ours.keys() == theirs.keys(), "the weights files hold different parameters")
    largest = 0.0
    for name, values in theirs.items():
        scale = max(max(abs(a) for a in values), 1e-300)
        largest = max(largest, max(abs(a - b) for a, b in zip(values, ours[name])) / scale)
    return largest


def mpi_train(run, processes, out, resume=False, extra=(), quiet=True):
    command = MPIRUN + ["-np", str(processes)] + [
        a for a in run.command(out, resume, extra) if quiet or a != "--quiet"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def check_equal(run, processes, run_dir, reference, what):
    difference = largest_difference(run_dir, reference)
    check(state_of(run_dir)["step"] == state_of(reference)["step"], f"{what}: another step count")
    check(difference <= TOLERANCE, f"{what}: weights differ by {difference:.3e} (relative)")
    print(f"{what}: largest relative difference from one process {difference:.2e}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("twinflow")
    parser.add_argument("source")
    parser.add_argument("work")
    args = parser.parse_args()
    run = SmallRun(args.twinflow, args.source, args.work, epochs=3, train_rows=200,
                   dropout=0.25)
    reference = run.work / "one"
    run.timed_reference(reference)

    for processes in (2, 3):
        out = run.work / f"np{processes}"
        done = mpi_train(run, processes, out, quiet=False)
        check(done.returncode == 0, f"-np {processes} failed:\n{done.stdout}\n{done.stderr}")
        check(done.stdout.count("saved to") == 1, "other processes than the first printed")
        # The Embedding's 2000-row table is summed by the rows the batch's texts hold.
        sent = [line for line in (done.stdout + done.stderr).splitlines()
                if f"gradients summed over {processes} processes" in line]
        check(len(sent) == 1, f"-np {processes}: no line on the gradients sent:\n{done.stderr}")
        check("embedding tables sent by rows in" in sent[0] and
              sent[0].split("rows in ")[1].split(" of ")[0] != "0",
              f"-np {processes}: the table was not sent by rows: {sent[0]}")
        print(sent[0].strip())
        check_equal(run, processes, out, reference, f"-np {processes}")

    resumed = run.work / "np2-then-np3"
    first = mpi_train(run, 2, resumed, extra=["--epochs", "1"])
    check(first.returncode == 0, f"the first epoch on 2 processes failed:\n{first.stderr}")
    rest = mpi_train(run, 3, resumed, resume=True)
    check(rest.returncode == 0, f"the resume on 3 processes failed:\n{rest.stderr}")
    check_equal(run, 3, resumed, reference, "1 epoch on 2 processes, resumed on 3")

    # Process 1 alone reads a file with a malformed row: every process stops with its message.
    bad = run.work / "bad.tsv"
    rows = (run.work / "train.tsv").read_text().splitlines()
    rows[5] = rows[5].split("\t")[0]
    bad.write_text("\n".join(rows) + "\n")
    failing = subprocess.run(
        MPIRUN + ["-np", "1"] + run.command(run.work / "failed") + [":", "-np", "1"] +
        run.command(run.work / "failed", extra=["--data", str(bad)]),
        capture_output=True, text=True, timeout=120)
    check(failing.returncode != 0, "a process with bad data did not stop the run")
    check(f"process 1 of 2: {bad}:6:" in failing.stderr,
          f"the first process did not report the other's error:\n{failing.stderr}")
    print("a bad row on process 1 stops both: " +
          next(line for line in failing.stderr.splitlines() if "process 1 of 2" in line))

    # Another vocabulary on process 1: refused before training.
    vocab = run.work / "vocab.txt"
    vocab.write_text("the\nand\nof\n")
    mismatched = subprocess.run(
        MPIRUN + ["-np", "1"] + run.command(run.work / "mismatched") + [":", "-np", "1"] +
        run.command(run.work / "mismatched", extra=["--vocab", str(vocab)]),
        capture_output=True, text=True, timeout=120)
    check(mismatched.returncode != 0, "processes with different vocabularies trained")
    check("process 1 of 2 has another spec, vocabulary or data" in mismatched.stderr,
          f"no mismatch reported:\n{mismatched.stderr}")
    print("another vocabulary on process 1 is refused at the start")


if __name__ == "__main__":
    sys.exit(main())
