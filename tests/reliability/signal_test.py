#!/usr/bin/env python3
"""SIGINT and SIGTERM stop training after the current step with a checkpoint of that step; a
second SIGINT ends the process at once and leaves the checkpoint before intact; every stopped
run resumes to the uninterrupted run's weights, bit for bit (float64).

Usage: signal_test.py TWINFLOW SOURCE_DIR WORK_DIR
"""

import argparse
import signal
import sys
import time

from harness import SmallRun, check, check_same, check_whole, state_of


def wait_for_checkpoint(run_dir, process, timeout=60):
    """Until the run has saved its first checkpoint (the signal then lands within training)."""
    deadline = time.monotonic() + timeout
    while not (run_dir / "state.json").exists():
        check(process.poll() is None, "the run ended before its first checkpoint")
        check(time.monotonic() < deadline, "no checkpoint within a minute")
        time.sleep(0.01)


def stop_once(run, reference, name, sent, exit_code):
    run_dir = run.work / name
    process = run.start(run_dir)
    wait_for_checkpoint(run_dir, process)
    time.sleep(0.1)  # into the next epoch's steps
    process.send_signal(sent)
    _, err = process.communicate(timeout=60)
    check(process.returncode == exit_code,
          f"{sent.name}: exit status {process.returncode}, expected {exit_code}\n{err}")
    check("training interrupted at step" in err, f"{sent.name}: no interruption message:\n{err}")
    check(f"continue with: twinflow train {run.spec} --resume {run_dir}" in err,
          f"{sent.name}: no resume command:\n{err}")
    state = state_of(run_dir)
    check_whole(run, run_dir)
    done = run.train(run_dir, resume=True)
    check(done.returncode == 0, f"{sent.name}: the resume failed:\n{done.stderr}")
    check_same(run_dir, reference)
    print(f"{sent.name}: stopped at epoch {state['epoch'] + 1} batch {state['batch']} (step "
          f"{state['step']}), exit {exit_code}; the resumed run equals the uninterrupted one")


def stop_twice(run, reference):
    """The second signal is sent once the process says it is stopping: while it finishes its
    step and saves, which take milliseconds."""
    run_dir = run.work / "twice"
    process = run.start(run_dir)
    wait_for_checkpoint(run_dir, process)
    process.send_signal(signal.SIGINT)
    for line in process.stderr:
        if "a second signal quits at once" in line:
            process.send_signal(signal.SIGINT)
            break
    process.communicate(timeout=60)
    check(process.returncode == -signal.SIGINT,
          f"a second SIGINT: exit status {process.returncode}, expected death by SIGINT")
    check_whole(run, run_dir)
    done = run.train(run_dir, resume=True)
    check(done.returncode == 0, f"the resume after two SIGINTs failed:\n{done.stderr}")
    check_same(run_dir, reference)
    print("SIGINT twice: the process ended at once; the run resumed to the same weights")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("twinflow")
    parser.add_argument("source")
    parser.add_argument("work")
    args = parser.parse_args()
    # Steps of some milliseconds, so that signals land within epochs as well as between them.
    run = SmallRun(args.twinflow, args.source, args.work, epochs=3, train_rows=1536, units=96,
                   batch_size=128)
    reference = run.work / "reference"
    run.timed_reference(reference)
    stop_once(run, reference, "interrupted", signal.SIGINT, 128 + signal.SIGINT)
    stop_once(run, reference, "terminated", signal.SIGTERM, 128 + signal.SIGTERM)
    stop_twice(run, reference)


if __name__ == "__main__":
    sys.exit(main())
