// gradcheck (python/bindings/model.h): `twinflow gradcheck` on the model's spec, shrunk the same
// way, with its random parameters: the check is of the network's gradient code, not of the
// weights the model holds. Returns the report as a dict (twinflow.GradcheckResult wraps it):
//   {"passed", "worst_error", "tolerance", "noise", "text" (the command's output),
//    "warnings", "tensors": [{"name", "shape", "probes", "skipped", "largest", "worst_error",
//    "worst_index", "analytic", "numeric", "passed"}]}
#include <fmt/format.h>

#include "python/bindings/arrays.h"
#include "python/bindings/model.h"
#include "runtime/exec/model_gradcheck.h"
#include "tools/cli/gradcheck_report.h"

namespace twinflow::python {

py::dict Model::gradcheck(int64_t batch, int64_t seqlen, int64_t vocab, int64_t probes,
                          double tolerance, uint64_t seed, bool training) const {
  if (batch < 1 || seqlen < 0 || vocab == 1 || vocab < 0 || probes < 0 || tolerance <= 0)
    throw ArgumentError(
        "gradcheck: batch must be >= 1, seqlen >= 0, vocab 0 (as declared) or >= 2 (id 0 is "
        "padding), probes >= 0 and tolerance > 0");
  graph::ModelSpec spec = model_.spec;
  runtime::shrink_for_gradcheck(spec, seqlen, vocab);
  graph::Diagnostics diags;
  std::optional<graph::Model> shrunk = graph::build_model(spec, diags);
  if (!shrunk)
    throw ArgumentError("gradcheck: the shrunk model does not build:\n" + diags.to_string());
  runtime::ModelGradCheckOptions options{.batch = batch,
                                         .seed = seed,
                                         .training = training,
                                         .max_probes_per_tensor = probes,
                                         .tolerance = tolerance};
  autograd::GradCheckReport report;
  {
    py::gil_scoped_release release;
    report = runtime::check_model_gradients(*shrunk, options);
  }
  py::list tensors;
  for (const autograd::TensorCheck& t : report.tensors) {
    py::dict entry;
    entry["name"] = t.name;
    entry["shape"] = py::tuple(py::cast(t.shape.dims()));
    entry["probes"] = t.probes;
    entry["skipped"] = t.skipped;
    entry["largest"] = t.largest;
    entry["worst_error"] = t.worst_error;
    entry["worst_index"] = t.worst_index;
    entry["analytic"] = t.analytic;
    entry["numeric"] = t.numeric;
    entry["passed"] = t.worst_error <= report.tolerance && !(t.probes > 0 && t.skipped == t.probes);
    tensors.append(entry);
  }
  py::dict out;
  out["passed"] = report.passed();
  out["worst_error"] = report.worst_error();
  out["tolerance"] = report.tolerance;
  out["noise"] = report.noise;
  out["text"] = cli::gradcheck_text(*shrunk, report, batch, training);
  out["warnings"] = cli::below_noise_warnings(report);
  out["tensors"] = tensors;
  return out;
}

}  // namespace twinflow::python
