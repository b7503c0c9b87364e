// autograd/gradcheck.h — compares analytic gradients with central finite differences.
//
// The objective is L = Σ dy ⊙ y for one output y and a random dy (never all ones: a
// symmetric bug hides behind a uniform dy). For every element x_i of every tensor checked:
//
//   numeric_i = (L(x + eps·e_i) − L(x − eps·e_i)) / (2·eps)
//   error_i   = |analytic_i − numeric_i| / max(|analytic_i|, |numeric_i|, 1)
//
// (Caffe's relative error with a floor of 1, so tiny gradients are judged absolutely).
// The generator is reseeded before every forward, so dropout masks are identical across
// probes. A probe whose ±eps step changes the branch a non-smooth op takes (relu's sign,
// max's argmax, abs's sign, a hinge's activity — each op's kink_signature) is skipped and
// counted: that is the kink window. A tensor where every probe was skipped fails, so a
// check cannot pass by skipping.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autograd/tape.h"

namespace twinflow::autograd {

struct GradCheckOptions {
  double eps = 1e-6;
  double tolerance = 1e-6;
  uint64_t seed = 20261129;           // for dy and for the forward passes' generator
  bool training = false;              // true runs dropout (with the same masks on every probe)
  int64_t max_probes_per_tensor = 0;  // 0: every element; otherwise an evenly spread subset
};

struct TensorCheck {
  std::string name;
  graph::Shape shape;
  double worst_error = 0.0;
  int64_t worst_index = -1;
  double analytic = 0.0;  // at the worst index
  double numeric = 0.0;
  int64_t probes = 0;
  int64_t skipped = 0;  // probes across a kink
};

struct GradCheckReport {
  std::vector<TensorCheck> tensors;
  double tolerance = 0.0;
  double worst_error() const;
  bool passed() const;
  // One line per tensor: name, shape, worst error, index, analytic vs numeric, skips.
  std::string to_string() const;
};

// Data for the graph's inputs in float64.
struct Feeds {
  std::map<ValueId, Tensor<double>> reals;
  std::map<ValueId, IdTensor> ids;
};

// Checks d(Σ dy ⊙ output)/dv for every v in wrt (real inputs held in feeds, or parameters
// whose values are in params).
GradCheckReport check_gradients(const graph::Graph& graph, Feeds& feeds,
                                std::map<ValueId, Tensor<double>>& params, ValueId output,
                                const std::vector<ValueId>& wrt,
                                const GradCheckOptions& options = {});

}  // namespace twinflow::autograd
