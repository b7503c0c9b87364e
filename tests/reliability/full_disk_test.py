#!/usr/bin/env python3
"""A disk that fills up while a run saves its checkpoint: the run stops with an error naming
the file and the system's reason, the directory keeps the checkpoint before, and once there is
space again --resume ends with the uninterrupted run's weights, bit for bit (float64).

The disk is a small tmpfs mounted for the test, so it needs root (as CI runs); without it the
test fails rather than pass untested. Usage: full_disk_test.py TWINFLOW SOURCE_DIR WORK_DIR
"""

import argparse
import os
import pathlib
import subprocess
import sys

from harness import SmallRun, check, check_same, check_whole, state_of

DISK_BYTES = 8 << 20


def fill(disk, leave):
    """Fills the disk but `leave` bytes with a file of its own."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("twinflow")
    parser.add_argument("source")
    parser.add_argument("work")
    args = parser.parse_args()
    run = SmallRun(args.twinflow, args.source, args.work, epochs=6, train_rows=192)
    reference = run.work / "reference"
    run.timed_reference(reference)
    weights_bytes = (reference / "weights.safetensors").stat().st_size

    disk = run.work / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs",
                              str(disk)], capture_output=True, text=True)
    check(mounted.returncode == 0,
          f"cannot mount a tmpfs (the test needs root): {mounted.stderr.strip()}")
    try:
        run_dir = disk / "run"
        first = run.train(run_dir, extra=["--epochs", "2"])
        check(first.returncode == 0, f"the first two epochs failed:\n{first.stderr}")
        before = state_of(run_dir)
        # Room for less than one weights file: the next checkpoint cannot be written.
        fill(disk, weights_bytes // 2)
        full = run.train(run_dir, resume=True)
        check(full.returncode == 1, f"exit status {full.returncode} on a full disk:\n{full.stderr}")
        check("No space left on device" in full.stderr and str(run_dir) in full.stderr,
              f"the error names no file and reason:\n{full.stderr}")
        check(f"{run_dir} still holds the one before it" in full.stderr,
              f"the error does not say what the directory holds:\n{full.stderr}")
        check(state_of(run_dir) == before, "state.json changed although the save failed")
        check_whole(run, run_dir)
        leftovers = [p.name for p in (run_dir / "checkpoints").iterdir()]
        check(leftovers == [pathlib.Path(before["checkpoint"]).name],
              f"the failed checkpoint left files: {leftovers}")

        (disk / "filler").unlink()
        done = run.train(run_dir, resume=True)
        check(done.returncode == 0, f"the resume with space again failed:\n{done.stderr}")
        check_same(run_dir, reference)
        print(full.stderr.strip())
        print(f"full disk at epoch {before['epoch'] + 1}: refused with the file and reason named,"
              f" epoch {before['epoch']} kept; resumed to the uninterrupted run's weights")
    finally:
        subprocess.run(["umount", str(disk)], check=False)


if __name__ == "__main__":
    sys.exit(main())
