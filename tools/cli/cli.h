// tools/cli/cli.h — the `twinflow` command line (CLI11), runnable in-process for tests.
//
//   twinflow check SPEC.yaml...          validate specs, print each model's summary (--json)
//   twinflow gradcheck SPEC.yaml         whole-model finite-difference gradient check
//   twinflow train SPEC.yaml             train; each run in its own directory (runs/<model>/<n>)
//   twinflow eval DIR --data F           score a saved model (--retrieval F: recall@k, MRR)
//   twinflow embed DIR --text T          the tower's vectors of texts
//   twinflow similar DIR --query Q ...   the corpus lines nearest to a query
//   twinflow predict DIR "a" "b"         a pair model's score and decision
//   twinflow viz SPEC.yaml -o FILE       draw the model (.dot, .svg, .png, .html; docs/viz.md)
//   twinflow plot DIR                    a run's training curves from its log.jsonl
//   twinflow ops                         the layer ops, losses and Lambda functions
//   twinflow export DIR -o OUT           a model's tower alone: a model directory, ONNX, Keras
//                                        HDF5 or PyTorch-named weights
//   twinflow import-weights SPEC F -o W  Keras HDF5 or PyTorch-named weights as twinflow's
//
// Every subcommand has --help. Nothing escapes as an exception: errors are printed to `err`
// and turn into the exit code (0 success, 1 a problem with the user's input or a failed
// check, 2 a malformed command line).
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace twinflow::cli {

// args[0] is the program name, as in argv; `in` is the standard input (`similar --corpus -`).
int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
            std::ostream& err);

}  // namespace twinflow::cli
