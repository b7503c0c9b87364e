// `twinflow gradcheck SPEC.yaml`: the whole model's gradient, every trainable parameter,
// against central finite differences in float64, on a small random batch.
//
// The model is shrunk to make the check quick while keeping every code path: id inputs get
// --seqlen steps and every Embedding a --vocab-row table (runtime::shrink_for_gradcheck).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "runtime/exec/model_gradcheck.h"
#include "tools/cli/commands.h"
#include "tools/cli/gradcheck_report.h"
#include "tools/cli/load_model.h"
#include "tools/cli/option_checks.h"

namespace twinflow::cli {

namespace {

struct GradcheckOptions {
  std::string spec;
  int64_t batch = 2;
  int64_t seqlen = 5;
  int64_t vocab = 20;
  int64_t probes = 0;
  double tolerance = 1e-6;
  uint64_t seed = 20261130;
  bool training = false;
};

int run(const GradcheckOptions& o, Io& io) {
  if (o.vocab == 1) {
    io.err << "error: --vocab must be 0 (as declared) or at least 2: id 0 is padding\n";
    return 2;
  }
  std::optional<graph::Model> model = load_model(o.spec, io.err, [&](graph::ModelSpec& spec) {
    runtime::shrink_for_gradcheck(spec, o.seqlen, o.vocab);
  });
  if (!model) return 1;
  const graph::Graph& g = *model->graph;
  const int64_t elements = probed_elements(g, o.probes);
  if (elements == 0) {
    io.out << fmt::format("{}: no trainable parameters, nothing to check\n", model->spec.name);
    return 0;
  }
  runtime::ModelGradCheckOptions check;
  check.batch = o.batch;
  check.seed = o.seed;
  check.training = o.training;
  check.max_probes_per_tensor = o.probes;
  check.tolerance = o.tolerance;
  // A full check runs two forward passes per element, which takes a while on a real model.
  io.err << fmt::format("probing {} parameter elements{}\n", elements,
                        o.probes > 0 ? "" : " (--probes N checks a spread-out subset quickly)");
  io.err.flush();
  const autograd::GradCheckReport report = runtime::check_model_gradients(*model, check);
  for (const std::string& warning : below_noise_warnings(report))
    io.err << "warning: " << warning << "\n";
  io.out << gradcheck_text(*model, report, o.batch, o.training);
  return report.passed() ? 0 : 1;
}

}  // namespace

void add_gradcheck_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<GradcheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gradcheck", "Check every parameter's gradient by central finite differences (float64)");
  cmd->add_option("spec", o->spec, "Model spec file (YAML)")->required();
  cmd->add_option("--batch", o->batch, "Batch size")
      ->capture_default_str()
      ->check(int_range(1, 1024));
  cmd->add_option("--seqlen", o->seqlen, "Steps of each token-id input (0: as declared)")
      ->capture_default_str()
      ->check(int_range(0, 10000));
  cmd->add_option("--vocab", o->vocab, "Rows of every Embedding table (0: as declared)")
      ->capture_default_str()
      ->check(int_range(0, 100000000));
  cmd->add_option("--probes", o->probes,
                  "Elements probed per parameter, evenly spread (0: every element)")
      ->capture_default_str()
      ->check(int_range(0, 100000000));
  cmd->add_option("--tolerance", o->tolerance, "Largest error that passes (autograd/gradcheck.h)")
      ->capture_default_str()
      ->check(above_zero());
  cmd->add_option("--seed", o->seed, "Seed of the parameters, the batch and dy")
      ->capture_default_str();
  cmd->add_flag("--training", o->training, "Check in training mode, with dropout");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli
