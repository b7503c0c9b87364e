// autograd/gradcheck.h — compares analytic gradients with central finite differences.
//
// The objective is L = Σ dy ⊙ y for one output y and a random dy (never all ones: a
// symmetric bug hides behind a uniform dy). For every probed element x_i of a tensor checked:
//
//   numeric_i = (L(x + eps·e_i) − L(x − eps·e_i)) / (2·eps)
//   error_i   = |analytic_i − numeric_i| / (|numeric_i| + s)      passes when ≤ tolerance
//
// which is PyTorch's |a − n| ≤ atol + rtol·|n| with rtol = tolerance and atol = tolerance·s.
// s, the tensor's gradient scale, sets the size below which a gradient is judged absolutely:
//
//   s = 1e-3 · max_j |numeric_j|  +  noise / 1e-6
//   noise = (16·u / eps + eps²) · F,   F = Σ_k |dy_k · y_k|,  u = 2⁻⁵² (float64 rounding)
//
// noise estimates the finite differences' own error: L carries a few ulps of F of rounding,
// divided by 2·eps, plus the truncation error, of order eps²·F. So an element may be off by
//
//   tolerance·|numeric_i|  +  tolerance·1e-3·max_j |numeric_j|  +  (tolerance / 1e-6)·noise
//
// At the default tolerance 1e-6 that is a relative 1e-6 on the gradient itself, or a 1e-9 of
// the tensor's largest gradient, or the noise (a sum: in effect the largest of the three).
// Over every check in the test suite a correct VJP scores at most ~1e-7. A tolerance below
// 1e-6 asks for less than the noise and fails. Caffe's floor of 1, used before, allowed 1e-6
// absolutely on every gradient below 1: a 100 % error on a gradient of 1e-9 scored 1e-9. A
// tensor whose gradients are all below `noise` can tell nothing: it passes, and the report
// warns about it.
//
// The generator is reseeded before every forward, so dropout masks are identical across
// probes. A probe whose ±eps step changes the branch a non-smooth op takes (relu's sign,
// max's argmax, abs's sign, a hinge's activity — each op's kink_signature) is skipped and
// counted: that is the kink window. A tensor where every probe was skipped fails, so a
// check cannot pass by skipping. With max_probes_per_tensor = P < n, the probes are the P
// elements ⌊k·n/P⌋, k = 0 … P−1.
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

// The elements a check probes in a tensor of n elements (max_probes 0: every one).
int64_t probe_count(int64_t n, int64_t max_probes);

struct TensorCheck {
  std::string name;
  graph::Shape shape;
  double worst_error = 0.0;
  int64_t worst_index = -1;
  double analytic = 0.0;  // at the worst index
  double numeric = 0.0;
  double largest = 0.0;  // max |numeric| over the probes
  double scale = 0.0;    // s above
  int64_t probes = 0;
  int64_t skipped = 0;  // probes across a kink
  // Every gradient probed is below the finite differences' noise: the check tells nothing.
  bool below_noise(double noise) const { return probes > skipped && largest <= noise; }
};

struct GradCheckReport {
  std::vector<TensorCheck> tensors;
  double tolerance = 0.0;
  double noise = 0.0;  // the finite differences' estimated error, as above
  double worst_error() const;
  bool passed() const;
  // One line per tensor: name, shape, worst error, index, analytic vs numeric, the largest
  // gradient, skips; a warning for each tensor below the noise.
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
