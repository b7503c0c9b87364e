// tests/testing/op_check.h — checks one op in isolation: a graph with one node whose inputs
// are graph inputs filled with random (or given) data, in float64.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "ops/op_def.h"

namespace twinflow::testing {

using graph::Shape;

struct CaseInput {
  Shape shape;
  std::vector<double> values;  // given data; empty: random
  std::vector<int32_t> ids;    // non-empty: an int32 input (token ids), never differentiated
  double scale = 1.0;          // random data is offset + scale · N(0, 1) ...
  double offset = 0.0;
  bool positive = false;       // ... or offset + scale · U(0.1, 1) (for log, sqrt, probabilities)
  bool differentiable = true;  // false: a label or other input nobody differentiates
};

// Builders for the common kinds of case input.
CaseInput random_input(Shape shape, double scale = 1.0, double offset = 0.0);
CaseInput positive_input(Shape shape, double scale = 1.0, double offset = 0.0);
CaseInput given_input(Shape shape, std::vector<double> values);
CaseInput ids_input(Shape shape, std::vector<int32_t> ids);
// Real data nobody differentiates (labels, targets).
CaseInput constant_input(Shape shape, std::vector<double> values);

struct OpCase {
  std::string label;
  const ops::OpDef* op = nullptr;
  std::any attrs;
  std::vector<CaseInput> inputs;
  bool training = false;  // runs dropout; the checker fixes the masks by reseeding
};

// The single-node graph of a case, with its feeds filled (seeded by `seed`).
struct BuiltCase {
  graph::Graph graph;
  autograd::Feeds feeds;
  std::vector<graph::ValueId> inputs;
  graph::ValueId output = -1;
  std::vector<graph::ValueId> differentiable;
};
BuiltCase build_case(const OpCase& c, uint64_t seed = 7);

// Central differences against the VJP for every differentiable input.
autograd::GradCheckReport check_op(const OpCase& c, double tolerance = 1e-6, uint64_t seed = 7);

// Forward output of a case as float64 values.
std::vector<double> run_forward(const OpCase& c, uint64_t seed = 7);

// A case run forward and backward in scalar type T.
template <typename T>
struct CaseRun {
  std::vector<T> y;
  std::vector<std::vector<T>> grads;  // one per input; empty for ids and constants
};
// Backward of Σ dy ⊙ y into zeroed gradients; an empty dy is random (seeded).
template <typename T>
CaseRun<T> run_case(const OpCase& c, std::vector<double> dy = {}, uint64_t seed = 7);

// Gradients of Σ dy ⊙ y with respect to every differentiable input of a case, in order.
std::vector<std::vector<double>> gradients_of(const OpCase& c, const std::vector<double>& dy,
                                              uint64_t seed = 7);

// For a linear op A: |⟨A·x, y⟩ − ⟨x, Aᵀ·y⟩| / max(|⟨A·x, y⟩|, 1) with random x and y.
double adjoint_gap(const OpCase& c, uint64_t seed = 7);

// Backward into buffers pre-filled with P must give P + (backward into zeros); returns the
// largest deviation.
double accumulation_gap(const OpCase& c, uint64_t seed = 7);

// Every op in the registry needs sample cases for the generic gradient check; each op's
// test file registers its own.
void register_op_samples(const std::string& op_name, std::function<std::vector<OpCase>()> make);
const std::vector<std::pair<std::string, std::function<std::vector<OpCase>()>>>& op_samples();

// Seeded random data for tests.
std::vector<double> random_normal(int64_t n, uint64_t seed, double scale = 1.0);

}  // namespace twinflow::testing
