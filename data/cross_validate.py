#!/usr/bin/env python3
"""Cross-validates pair model specs on the demo data's folds by book, never touching a test file.

For each spec, fold and seed, runs `twinflow train SPEC --data fold/pairs_train.tsv --val
fold/pairs_val.tsv --seed S --out RUN` one after another (twinflow already uses every core),
reads RUN/log.jsonl and keeps the epoch with the best val_auc. Prints a markdown table per spec
and writes every run's figures to OUT/results.json. Standard library only.

    python3 data/make_demo_data.py --folds 4 --folds-out /tmp/folds
    python3 data/cross_validate.py --twinflow build/twinflow --folds /tmp/folds \\
        --specs models/variants/*.yaml --seeds 1 --epochs 12 --out runs/cross-validation
"""

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time

FOLD_DIR = re.compile(r"^fold-(\d+)$")
# A pair model whose training loss ends at ln 2 predicts about 0.5 for every pair: it learned
# nothing (the loss of a constant 0.5 on balanced labels).
STUCK_LOSS = math.log(2)
STUCK_TOLERANCE = 0.005
# The demo data's test split, beside this script: never a fold's file, whatever the spec says.
DEMO_TEST_FILES = [
    os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    for name in ("pairs_test.tsv", "triplets_test.tsv", "retrieval_test.tsv")
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--twinflow", required=True, help="the twinflow binary to train with")
    parser.add_argument("--folds", required=True, help="the directory holding fold-1 ... fold-K")
    parser.add_argument("--specs", required=True, nargs="+", help="pair model specs (YAML)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--epochs", type=int, help="override the specs' epochs")
    parser.add_argument("--out", default="runs/cross-validation", help="runs and results.json")
    parser.add_argument(
        "--rerun",
        action="store_true",
        help="train again even where OUT already holds a finished run of the same command",
    )
    return parser.parse_args()


def find_folds(folds_dir):
    """The fold directories, by number, each with its training and validation pairs."""
    if not os.path.isdir(folds_dir):
        raise SystemExit(f"{folds_dir}: no such directory (make_demo_data.py --folds writes it)")
    folds = []
    for name in os.listdir(folds_dir):
        match = FOLD_DIR.match(name)
        if match:
            folds.append((int(match.group(1)), os.path.join(folds_dir, name)))
    if not folds:
        raise SystemExit(f"{folds_dir}: no fold-K directories (make_demo_data.py --folds)")
    result = []
    for number, path in sorted(folds):
        files = {
            "data": os.path.join(path, "pairs_train.tsv"),
            "val": os.path.join(path, "pairs_val.tsv"),
        }
        for role, file in files.items():
            if not os.path.isfile(file):
                raise SystemExit(f"fold {number}: no {role} file {file}")
        result.append((f"fold-{number}", files))
    return result


def spec_file_entries(twinflow, spec):
    """The spec's own data/val/test paths, resolved as twinflow resolves them (relative to the
    spec), read from `twinflow check --print-defaults` so that no YAML parser is needed."""
    done = subprocess.run(
        [twinflow, "check", "--print-defaults", spec], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{spec}: twinflow check failed:\n{done.stderr}{done.stdout}")
    entries, in_train = {}, False
    for line in done.stdout.splitlines():
        if not line.startswith(" "):
            in_train = line.startswith("train:")
            continue
        match = re.match(r"^\s+(data|val|test):\s*(\S.*)$", line)
        if in_train and match:
            path = match.group(2).strip().strip("'\"")
            entries[match.group(1)] = os.path.normpath(
                os.path.join(os.path.dirname(os.path.abspath(spec)), path)
            )
    return entries


def refuse_test_files(spec, spec_files, fold_files):
    """Stops before training if a fold file is a test split: named so, the spec's test file or
    the demo data's. Only paths are compared (through links); no test file is opened."""
    test_files = [f for f in [spec_files.get("test")] + DEMO_TEST_FILES if f and os.path.exists(f)]
    for role, path in fold_files.items():
        if "test" in os.path.basename(os.path.realpath(path)):
            raise SystemExit(f"{spec}: refusing --{role} {path}: it is named as a test split")
        for test_file in test_files:
            if os.path.samefile(path, test_file):
                raise SystemExit(f"{spec}: refusing --{role} {path}: it is the test {test_file}")


def train_command(args, spec, files, seed, run_dir):
    command = [args.twinflow, "train", spec, "--data", files["data"], "--val", files["val"]]
    command += ["--seed", str(seed), "--out", run_dir, "--quiet", "--overwrite"]
    if args.epochs:
        command += ["--epochs", str(args.epochs)]
    return command


def read_log(run_dir):
    with open(os.path.join(run_dir, "log.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check_no_test_scored(run_dir):
    """twinflow records every file a run read in run.json; a test file there is a leak."""
    with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
        run = json.load(f)
    if "test" in run.get("files", {}) or run.get("test"):
        raise SystemExit(f"{run_dir}: twinflow scored a test file; the cross-validation stops")


def summarize_run(epochs):
    """The epoch with the best val_auc (the first of equals) and what the run went through."""
    best = max(epochs, key=lambda e: (e["val_auc"], -e["epoch"]))
    return {
        "best_val_auc": best["val_auc"],
        "best_epoch": best["epoch"],
        "val_loss_at_best": best["val_loss"],
        "val_accuracy_at_best": best.get("val_accuracy"),
        "epochs_run": len(epochs),
        "final_loss": epochs[-1]["loss"],
        "stuck_at_ln2": abs(epochs[-1]["loss"] - STUCK_LOSS) < STUCK_TOLERANCE,
        "val_auc_by_epoch": [e["val_auc"] for e in epochs],
    }


def run_one(args, spec, fold, files, seed):
    name = os.path.splitext(os.path.basename(spec))[0]
    run_dir = os.path.join(args.out, name, fold, f"seed-{seed}")
    command = train_command(args, spec, files, seed, run_dir)
    marker = os.path.join(run_dir, "cross_validate.json")
    # A finished run of the same command is reused, so that an interrupted sweep resumes.
    if not args.rerun and os.path.exists(marker):
        with open(marker, encoding="utf-8") as f:
            saved = json.load(f)
        if saved["command"] == command:
            print(f"{name} {fold} seed {seed}: reused {run_dir}", file=sys.stderr)
            return saved
    os.makedirs(run_dir, exist_ok=True)
    print(f"{name} {fold} seed {seed}: training ...", file=sys.stderr, flush=True)
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    minutes = (time.monotonic() - start) / 60
    with open(os.path.join(run_dir, "train_output.txt"), "w", encoding="utf-8") as f:
        f.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    check_no_test_scored(run_dir)
    warnings = [
        line.strip()
        for line in (done.stdout + done.stderr).splitlines()
        if re.search(r"warn|\bnan\b|diverg|collaps", line, re.IGNORECASE)
    ]
    result = {
        "spec": spec,
        "name": name,
        "fold": fold,
        "seed": seed,
        "command": command,
        "minutes": minutes,
        "warnings": warnings,
        **summarize_run(read_log(run_dir)),
    }
    with open(marker, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print(
        f"{name} {fold} seed {seed}: best val_auc {result['best_val_auc']:.4f} at epoch "
        f"{result['best_epoch']} of {result['epochs_run']} ({minutes:.1f} min)",
        file=sys.stderr,
        flush=True,
    )
    return result


def spec_summary(runs, folds):
    aucs = [r["best_val_auc"] for r in runs]
    by_fold = {
        fold: statistics.mean(r["best_val_auc"] for r in runs if r["fold"] == fold)
        for fold, _ in folds
    }
    return {
        "by_fold": by_fold,  # the mean over seeds when there are several
        "mean": statistics.mean(aucs),
        "min": min(aucs),
        "max": max(aucs),
        "median_best_epoch": statistics.median(r["best_epoch"] for r in runs),
        "mean_val_loss_at_best": statistics.mean(r["val_loss_at_best"] for r in runs),
        "epochs_run": sorted({r["epochs_run"] for r in runs}),
        "minutes": sum(r["minutes"] for r in runs),
    }


def markdown_table(summaries, folds, seeds):
    fold_names = [fold for fold, _ in folds]
    seed_note = "" if len(seeds) == 1 else " (mean over seeds)"
    header = (
        ["spec"]
        + [f"{fold}{seed_note}" for fold in fold_names]
        + ["mean", "min–max", "median best epoch", "val_loss at best", "epochs run", "minutes"]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, s in summaries.items():
        cells = [name] + [f"{s['by_fold'][fold]:.3f}" for fold in fold_names]
        cells += [
            f"{s['mean']:.3f}",
            f"{s['min']:.3f}–{s['max']:.3f}",
            f"{s['median_best_epoch']:g}",
            f"{s['mean_val_loss_at_best']:.3f}",
            ", ".join(str(n) for n in s["epochs_run"]),
            f"{s['minutes']:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    args = parse_args()
    twinflow = os.path.abspath(args.twinflow)
    args.twinflow = twinflow
    folds = find_folds(args.folds)
    # Every spec is checked before the first run, so that a refusal costs no training time.
    for spec in args.specs:
        spec_files = spec_file_entries(twinflow, spec)
        for _, files in folds:
            refuse_test_files(spec, spec_files, files)
    runs = []
    for spec in args.specs:
        for fold, files in folds:
            for seed in args.seeds:
                runs.append(run_one(args, spec, fold, files, seed))
    summaries = {}
    for spec in args.specs:
        name = os.path.splitext(os.path.basename(spec))[0]
        summaries[name] = spec_summary([r for r in runs if r["spec"] == spec], folds)
    table = markdown_table(summaries, folds, args.seeds)
    notes = [
        f"- {r['name']} {r['fold']} seed {r['seed']}: training loss stayed at ln 2 "
        f"(final {r['final_loss']:.4f})"
        for r in runs
        if r["stuck_at_ln2"]
    ]
    notes += [
        f"- {r['name']} {r['fold']} seed {r['seed']}: {w}" for r in runs for w in r["warnings"]
    ]
    seeds = ", ".join(map(str, args.seeds))
    print(f"Best val_auc over epochs, folds by book from {args.folds}, seeds {seeds}:\n")
    print(table)
    if notes:
        print("\n" + "\n".join(notes))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as f:
        results = {"folds": args.folds, "seeds": args.seeds, "epochs": args.epochs}
        results.update(summaries=summaries, runs=runs, table=table)
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
