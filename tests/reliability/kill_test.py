#!/usr/bin/env python3
"""A training run killed with SIGKILL at random moments, and resumed each time, ends with the
weights of the uninterrupted run, bit for bit (float64).

Each attempt lives a random time, so kills land while data is read, within steps, and while a
checkpoint is written. After every kill the run directory must be whole (state.json names a
complete checkpoint; `twinflow eval` loads the model) or, before the first checkpoint, hold no
state at all. Usage: kill_test.py TWINFLOW SOURCE_DIR WORK_DIR [--kills N] [--seed S]
"""

import argparse
import pathlib
import random
import signal
import sys
import time

from harness import SmallRun, check, check_same, check_whole


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("twinflow")
    parser.add_argument("source")
    parser.add_argument("work")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    run = SmallRun(args.twinflow, args.source, args.work, epochs=120, train_rows=192)
    reference = run.work / "reference"
    seconds = run.timed_reference(reference)
    run_dir = run.work / "killed"
    kills = 0
    while kills < args.kills:
        resume = (run_dir / "state.json").exists()
        process = run.start(run_dir, resume=resume)
        # Long enough to make progress, short enough that about 20 kills fit before the end.
        time.sleep(rng.uniform(0.02, 1.5 * seconds / args.kills + 0.1))
        if process.poll() is not None:
            _, err = process.communicate()
            check(process.returncode == 0, f"an attempt failed on its own:\n{err}")
            break  # finished before its kill
        process.send_signal(signal.SIGKILL)
        process.communicate()
        kills += 1
        if (run_dir / "state.json").exists():
            check_whole(run, run_dir)
    done = run.train(run_dir, resume=(run_dir / "state.json").exists())
    check(done.returncode == 0, f"the last resume failed:\n{done.stderr}")
    check_same(run_dir, reference)
    strays = [p.name for p in run_dir.iterdir() if ".tmp." in p.name or ".link." in p.name]
    check(not strays, f"temporary files of killed writers are left: {strays}")
    checkpoints = list((run_dir / "checkpoints").iterdir())
    check(len(checkpoints) == 1, f"more than the last checkpoint is left: {checkpoints}")
    print(f"{kills} kills (the uninterrupted run takes {seconds:.2f} s); the resumed run equals "
          f"it bit for bit")
    check(kills >= args.kills // 2, f"only {kills} kills landed before the run finished")


if __name__ == "__main__":
    sys.exit(main())
