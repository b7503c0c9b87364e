// tests/fuzz/fuzz_lambda.cc — a Lambda expression parsed, compiled to primitive nodes and run.
//
// The input is the expression's text. It is compiled twice over the same arguments: as a
// Lambda layer (the batch axis kept, `s` masked by token ids, as build_model compiles a layer)
// and as a loss expression (no rules). The only error an expression may cause is ExprError;
// any other exception is a finding. An expression that compiles is then run forward and
// backward on a batch of 3, where the output must have the shape the graph inferred: a kernel
// that disagrees with its shape rule reads or writes outside its buffers, which AddressSanitizer
// reports. Running may stop with graph::RuntimeInputError where the graph fits some batch
// sizes only.
//
//   a, b, p, n, x, y   [B, 6]      tower outputs (the names the specs and tests use)
//   s, t               [B, 4, 6]   sequences; s is padded at the end (rows of 4, 2 and 1 steps)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "graph/lambda/expr.h"
#include "graph/lambda/lambda.h"
#include "ops/registry.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::autograd::Tape;
using twinflow::graph::Graph;
using twinflow::graph::kBatch;
using twinflow::graph::Shape;
using twinflow::graph::ValueId;
using twinflow::ops::IdTensor;
using twinflow::ops::Tensor;

constexpr int64_t kRows = 3;

struct Arguments {
  std::vector<std::string> names{"a", "b", "p", "n", "x", "y", "s", "t"};
  std::vector<Shape> shapes;
  std::vector<ValueId> values;
  ValueId mask = -1;  // of s
};

Arguments add_arguments(Graph& g) {
  Arguments args;
  for (const std::string& name : args.names) {
    args.shapes.push_back(name == "s" || name == "t" ? Shape{kBatch, 4, 6} : Shape{kBatch, 6});
    args.values.push_back(g.add_input(name, args.shapes.back()));
  }
  args.mask = g.add_input("s_ids", Shape{kBatch, 4}, twinflow::graph::DType::kInt32);
  return args;
}

// Values away from 0 and from each other, of both signs: no kernel meets a tie by accident.
Tensor<double> data(const Shape& shape, double offset) {
  Tensor<double> t(shape);
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = offset + 0.37 * static_cast<double>(i % 7) - 0.9 * static_cast<double>(i % 3);
  return t;
}

Shape with_rows(Shape shape) {
  for (int d = 0; d < shape.rank(); ++d)
    if (shape[d] == kBatch) shape[d] = kRows;
  return shape;
}

void run(const Graph& g, const Arguments& args, ValueId y) {
  std::vector<Tensor<double>> inputs;
  for (size_t i = 0; i < args.shapes.size(); ++i)
    inputs.push_back(data(with_rows(args.shapes[i]), 0.3 * static_cast<double>(i) - 0.8));
  IdTensor ids(Shape{kRows, 4});
  ids.data = {5, 3, 7, 2, 4, 6, 0, 0, 9, 0, 0, 0};
  Tape<double> tape(g);
  std::vector<Tensor<double>> grads;
  for (size_t i = 0; i < inputs.size(); ++i) grads.emplace_back(inputs[i].shape);
  for (size_t i = 0; i < inputs.size(); ++i) {
    tape.bind(args.values[i], &inputs[i]);
    tape.bind_grad(args.values[i], &grads[i]);
  }
  tape.bind_ids(args.mask, &ids);
  try {
    tape.forward(false, 1);
  } catch (const twinflow::graph::RuntimeInputError& e) {
    // The batch axis broadcast against a fixed size (ops/binary.h: B vs 5 → 5) holds for one
    // batch size only; with another, the run stops with this error.
    twinflow::fuzz::rejected(e);
    return;
  }
  const Tensor<double>& out = tape.value(y);
  const Shape expected = with_rows(g.value(y).shape);
  if (!(out.shape == expected)) {
    std::fprintf(stderr, "fuzz_lambda: the output has shape %s, the graph inferred %s\n",
                 out.shape.to_string().c_str(), expected.to_string().c_str());
    std::abort();
  }
  tape.backward(y, data(out.shape, 0.1));
}

void compile_and_run(std::string_view text, bool as_layer) {
  Graph g;
  const Arguments args = add_arguments(g);
  twinflow::graph::LambdaRules rules;
  if (as_layer) rules = {.keep_batch = true, .masks = {-1, -1, -1, -1, -1, -1, args.mask, -1}};
  ValueId y = -1;
  try {
    y = twinflow::graph::compile_lambda(g, as_layer ? "dist" : "loss", text, args.names,
                                        args.values, rules);
  } catch (const twinflow::graph::ExprError& e) {
    twinflow::fuzz::rejected(e);
    return;
  }
  run(g, args, y);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool registered = (twinflow::ops::register_builtin_ops(), true);
  (void)registered;
  const std::string_view text = twinflow::fuzz::as_text(data, size);
  try {
    (void)twinflow::graph::to_string(twinflow::graph::parse_expression(text));
  } catch (const twinflow::graph::ExprError& e) {
    twinflow::fuzz::rejected(e);
    return 0;
  }
  compile_and_run(text, true);
  compile_and_run(text, false);
  return 0;
}
