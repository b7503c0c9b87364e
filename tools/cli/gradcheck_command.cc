// `twinflow gradcheck SPEC.yaml`: the whole model's gradient, every trainable parameter,
// against central finite differences in float64, on a small random batch.
//
// The model is shrunk to make the check quick while keeping every code path: id inputs get
// --seqlen steps and every Embedding a --vocab-row table (a pretrained file is not read).
// Layer widths stay as declared, since a gradient bug can depend on them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "graph/ir/attrs.h"
#include "runtime/exec/model_gradcheck.h"
#include "tools/cli/commands.h"
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

void shrink(graph::ModelSpec& spec, const GradcheckOptions& o) {
  for (graph::InputSpec& in : spec.inputs)
    if (in.dtype == graph::DType::kInt32 && o.seqlen > 0 && in.shape.rank() >= 1)
      in.shape[0] = o.seqlen;
  for (graph::LayerSpec& layer : spec.layers) {
    if (layer.op != "Embedding") continue;
    layer.pretrained.reset();
    if (o.vocab > 0) std::any_cast<graph::EmbeddingAttrs&>(layer.attrs).vocab = o.vocab;
  }
}

// One row per parameter: the largest gradient probed and, at the worst element, the error and
// the gradient it was made on, so an error on a gradient of 1e-9 reads as what it is.
std::string format_table(const autograd::GradCheckReport& report) {
  size_t width = 9;
  for (const auto& t : report.tensors) width = std::max(width, t.name.size());
  std::string out =
      fmt::format("{:<{}}  {:<14} {:>9}  {:>12}  {:>11}  {:>11}\n", "parameter", width, "shape",
                  "probes", "largest |g|", "worst error", "|g| there");
  for (const auto& t : report.tensors) {
    std::string probes = std::to_string(t.probes);
    if (t.skipped) probes += fmt::format(" ({} at a kink)", t.skipped);
    out += fmt::format("{:<{}}  {:<14} {:>9}  {:>12.2e}  {:>11.2e}  {:>11.2e}{}\n", t.name, width,
                       t.shape.to_string(), probes, t.largest, t.worst_error, std::abs(t.numeric),
                       t.worst_error <= report.tolerance ? "" : "  FAIL");
  }
  return out;
}

// The elements the check will probe: what the table's probes column adds up to.
int64_t probed_elements(const graph::Graph& g, int64_t max_probes) {
  int64_t elements = 0;
  for (graph::ValueId p : g.parameters())
    if (g.value(p).trainable)
      elements += autograd::probe_count(g.value(p).shape.num_elements(), max_probes);
  return elements;
}

int run(const GradcheckOptions& o, Io& io) {
  if (o.vocab == 1) {
    io.err << "error: --vocab must be 0 (as declared) or at least 2: id 0 is padding\n";
    return 2;
  }
  std::optional<graph::Model> model =
      load_model(o.spec, io.err, [&](graph::ModelSpec& spec) { shrink(spec, o); });
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
  const std::string objective =
      model->loss ? "the loss" : "output '" + g.value(model->outputs.front()).name + "'";
  io.out << fmt::format(
      "{}: d({})/dθ, float64, batch {}, {} mode, eps 1e-6, finite-difference noise {:.1e}\n",
      model->spec.name, objective, o.batch, o.training ? "training" : "inference", report.noise);
  io.out << format_table(report);
  for (const auto& t : report.tensors)
    if (t.below_noise(report.noise))
      io.err << fmt::format(
          "warning: every gradient of {} is below the finite differences' noise ({:.1e}): the "
          "check cannot tell anything about it\n",
          t.name, report.noise);
  io.out << fmt::format(
      "worst error {:.2e} (|analytic − numeric| / (|numeric| + scale), autograd/gradcheck.h), "
      "tolerance {:.1e}: {}\n",
      report.worst_error(), report.tolerance, report.passed() ? "PASS" : "FAIL");
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
