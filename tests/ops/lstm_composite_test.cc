// The fused LSTM and Bidirectional nodes against the same networks built from primitive
// nodes (Slice, Dense, Add, Sub, Mul, Sigmoid, Tanh, Concatenate, ReverseSequence): forward
// values and every gradient must agree to rounding.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "autograd/tape.h"
#include "ops/bidirectional.h"
#include "ops/binary.h"
#include "ops/concatenate.h"
#include "ops/dense.h"
#include "ops/elementwise.h"
#include "ops/lstm.h"
#include "ops/reverse_sequence.h"
#include "ops/slice.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::Graph;
using graph::Shape;
using graph::SliceAttrs;
using graph::ValueId;

constexpr int64_t kB = 3, kT = 4, kE = 3, kH = 2;

// Inputs shared by both graphs of a comparison, keyed by graph input name.
struct Data {
  std::map<std::string, Tensor<double>> reals;
  IdTensor ids;
  Tensor<double> mask;  // [B, T, 1]: 1 at real steps, the mask the composite multiplies by
};

Data make_data(bool masked) {
  Data d;
  const std::vector<int64_t> lengths{4, 1, 3};
  d.ids = IdTensor(Shape{kB, kT});
  d.mask = Tensor<double>(Shape{kB, kT, 1});
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t t = 0; t < kT; ++t) {
      const bool real = !masked || t < lengths[static_cast<size_t>(b)];
      d.ids.data[static_cast<size_t>(b * kT + t)] = real ? 5 : 0;
      d.mask.data[static_cast<size_t>(b * kT + t)] = real ? 1.0 : 0.0;
    }
  auto add = [&d](const std::string& name, Shape s, uint64_t seed, double scale) {
    Tensor<double> t(s);
    t.data = testing::random_normal(s.num_elements(), seed, scale);
    d.reals.emplace(name, std::move(t));
  };
  add("x", Shape{kB, kT, kE}, 1, 1.0);
  for (const char* dir : {"f", "b"}) {
    const uint64_t k = dir[0] == 'f' ? 10 : 20;
    add(fmt::format("w_{}", dir), Shape{kE, 4 * kH}, k + 1, 0.5);
    add(fmt::format("u_{}", dir), Shape{kH, 4 * kH}, k + 2, 0.5);
    add(fmt::format("b_{}", dir), Shape{4 * kH}, k + 3, 0.3);
  }
  return d;
}

// Builds primitive nodes with unique names.
struct Builder {
  Graph& g;
  int count = 0;
  ValueId node(const OpDef& op, std::any attrs, std::vector<ValueId> in) {
    return g.add_node(op, std::move(attrs), std::move(in), fmt::format("n{}", count++));
  }
  ValueId slice(ValueId v, int axis, int64_t begin, int64_t end) {
    return node(op_def<Slice>(), SliceAttrs{axis, begin, end}, {v});
  }
  ValueId add(ValueId a, ValueId b) { return node(op_def<Add>(), graph::NoAttrs{}, {a, b}); }
  ValueId mul(ValueId a, ValueId b) { return node(op_def<Mul>(), graph::NoAttrs{}, {a, b}); }
  ValueId sigmoid(ValueId v) { return node(op_def<Sigmoid>(), graph::NoAttrs{}, {v}); }
  ValueId tanh(ValueId v) { return node(op_def<Tanh>(), graph::NoAttrs{}, {v}); }
  // state ← m ⊙ fresh + (1 − m) ⊙ state; the first step's state is 0.
  ValueId carry(ValueId m, ValueId keep, ValueId fresh, ValueId state) {
    return state < 0 ? mul(m, fresh) : add(mul(m, fresh), mul(keep, state));
  }
};

// One LSTM direction from primitives on x [B, T, E]; states are [B, 1, H]. mask < 0: none.
ValueId composite_lstm(Builder& n, ValueId x, ValueId mask, ValueId w, ValueId u, ValueId b,
                       bool return_sequences, bool go_backwards) {
  const ValueId one = n.g.add_constant(1.0);
  const graph::DenseAttrs project{4 * kH, graph::Activation::kLinear, true};
  const graph::DenseAttrs recur{4 * kH, graph::Activation::kLinear, false};
  ValueId h = -1, c = -1;
  std::vector<ValueId> outputs(kT);
  for (int64_t s = 0; s < kT; ++s) {
    const int64_t t = go_backwards ? kT - 1 - s : s;
    ValueId z = n.node(op_def<Dense>(), project, {n.slice(x, 1, t, t + 1), w, b});
    if (h >= 0) z = n.add(z, n.node(op_def<Dense>(), recur, {h, u}));
    const ValueId i = n.sigmoid(n.slice(z, -1, 0, kH));
    const ValueId f = n.sigmoid(n.slice(z, -1, kH, 2 * kH));
    const ValueId g = n.tanh(n.slice(z, -1, 2 * kH, 3 * kH));
    const ValueId o = n.sigmoid(n.slice(z, -1, 3 * kH, 4 * kH));
    const ValueId c_new = c < 0 ? n.mul(i, g) : n.add(n.mul(f, c), n.mul(i, g));
    const ValueId h_new = n.mul(o, n.tanh(c_new));
    if (mask < 0) {
      h = h_new, c = c_new;
      outputs[static_cast<size_t>(t)] = h_new;
      continue;
    }
    const ValueId m = n.slice(mask, 1, t, t + 1);
    const ValueId keep = n.node(op_def<Sub>(), graph::NoAttrs{}, {one, m});
    h = n.carry(m, keep, h_new, h);
    c = n.carry(m, keep, c_new, c);
    outputs[static_cast<size_t>(t)] = n.mul(m, h_new);  // 0 at a masked step
  }
  if (!return_sequences) return h;
  return n.node(op_def<Concatenate>(), graph::ConcatenateAttrs{1}, outputs);
}

struct Outcome {
  std::vector<double> y;
  std::map<std::string, std::vector<double>> grads;  // of every real input
};

// Forward, then backward of Σ dy ⊙ y (dy taken in y's row-major order).
Outcome run(const Graph& g, ValueId out, Data& d, const std::vector<double>& dy) {
  autograd::Tape<double> tape(g);
  std::map<std::string, Tensor<double>> grads;
  for (ValueId v : g.inputs()) {
    const std::string& name = g.value(v).name;
    if (name == "ids") {
      tape.bind_ids(v, &d.ids);
    } else if (name == "mask") {
      tape.bind(v, &d.mask);
    } else {
      tape.bind(v, &d.reals.at(name));
      grads.emplace(name, Tensor<double>(d.reals.at(name).shape));
      tape.bind_grad(v, &grads.at(name));
    }
  }
  tape.forward(false, 1);
  Tensor<double> dy_t(tape.value(out).shape);
  REQUIRE(dy_t.data.size() == dy.size());
  dy_t.data = dy;
  tape.backward(out, dy_t);
  Outcome r{tape.value(out).data, {}};
  for (auto& [name, t] : grads) r.grads[name] = t.data;
  return r;
}

double gap(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  return worst;
}

void check_same(const Outcome& fused, const Outcome& composite) {
  CHECK(gap(fused.y, composite.y) <= 1e-10);
  for (const auto& [name, g] : fused.grads) {
    CAPTURE(name);
    if (composite.grads.count(name)) CHECK(gap(g, composite.grads.at(name)) <= 1e-10);
  }
}

ValueId add_inputs(Graph& g, bool masked, std::map<std::string, ValueId>& v) {
  v["x"] = g.add_input("x", Shape{kB, kT, kE});
  for (const char* dir : {"f", "b"}) {
    v[fmt::format("w_{}", dir)] = g.add_input(fmt::format("w_{}", dir), Shape{kE, 4 * kH});
    v[fmt::format("u_{}", dir)] = g.add_input(fmt::format("u_{}", dir), Shape{kH, 4 * kH});
    v[fmt::format("b_{}", dir)] = g.add_input(fmt::format("b_{}", dir), Shape{4 * kH});
  }
  return masked ? g.add_input("ids", Shape{kB, kT}, graph::DType::kInt32) : -1;
}

TEST_SUITE("ops") {
  TEST_CASE("LSTM equals the same network built from primitive nodes") {
    for (bool masked : {false, true}) {
      for (bool rs : {false, true}) {
        for (bool gb : {false, true}) {
          CAPTURE(masked);
          CAPTURE(rs);
          CAPTURE(gb);
          Data d = make_data(masked);
          Graph fused, composite;
          std::map<std::string, ValueId> fv, cv;
          const ValueId ids = add_inputs(fused, masked, fv);
          add_inputs(composite, masked, cv);
          std::vector<ValueId> in{fv["x"], fv["w_f"], fv["u_f"], fv["b_f"]};
          if (masked) in.insert(in.begin() + 1, ids);
          const ValueId y_fused =
              fused.add_node(op_def<LSTM>(), graph::LstmAttrs{kH, rs, gb, 0.0, 0.0}, in, "y");
          const ValueId mask = masked ? composite.add_input("mask", Shape{kB, kT, 1}) : ValueId{-1};
          Builder b{composite};
          const ValueId y_comp =
              composite_lstm(b, cv["x"], mask, cv["w_f"], cv["u_f"], cv["b_f"], rs, gb);
          const auto dy = testing::random_normal(kB * (rs ? kT : 1) * kH, 3);
          check_same(run(fused, y_fused, d, dy), run(composite, y_comp, d, dy));
        }
      }
    }
  }

  TEST_CASE("ReverseSequence, LSTM, ReverseSequence equals LSTM with go_backwards") {
    for (bool masked : {false, true}) {
      for (bool rs : {false, true}) {
        CAPTURE(masked);
        CAPTURE(rs);
        Data d = make_data(masked);
        Graph fused, composite;
        std::map<std::string, ValueId> fv, cv;
        const ValueId f_ids = add_inputs(fused, masked, fv);
        const ValueId c_ids = add_inputs(composite, masked, cv);
        auto with_ids = [masked](ValueId v, ValueId ids) {
          return masked ? std::vector<ValueId>{v, ids} : std::vector<ValueId>{v};
        };
        auto lstm_inputs = [&with_ids](ValueId x, ValueId ids, std::map<std::string, ValueId>& v) {
          std::vector<ValueId> in = with_ids(x, ids);
          for (const char* p : {"w_b", "u_b", "b_b"}) in.push_back(v[p]);
          return in;
        };
        const ValueId y_fused =
            fused.add_node(op_def<LSTM>(), graph::LstmAttrs{kH, rs, true, 0.0, 0.0},
                           lstm_inputs(fv["x"], f_ids, fv), "y");
        const ValueId xr = composite.add_node(op_def<ReverseSequence>(), graph::NoAttrs{},
                                              with_ids(cv["x"], c_ids), "xr");
        ValueId y_comp =
            composite.add_node(op_def<LSTM>(), graph::LstmAttrs{kH, rs, false, 0.0, 0.0},
                               lstm_inputs(xr, c_ids, cv), "h");
        if (rs)
          y_comp = composite.add_node(op_def<ReverseSequence>(), graph::NoAttrs{},
                                      with_ids(y_comp, c_ids), "y");
        const auto dy = testing::random_normal(kB * (rs ? kT : 1) * kH, 4);
        check_same(run(fused, y_fused, d, dy), run(composite, y_comp, d, dy));
      }
    }
  }

  TEST_CASE("Bidirectional equals forward LSTM and reversed LSTM, concatenated") {
    for (bool rs : {false, true}) {
      CAPTURE(rs);
      Data d = make_data(true);
      Graph fused, composite;
      std::map<std::string, ValueId> fv, cv;
      const ValueId f_ids = add_inputs(fused, true, fv);
      const ValueId ids = add_inputs(composite, true, cv);
      const graph::BidirectionalAttrs a{graph::LstmAttrs{kH, rs, false, 0.0, 0.0},
                                        graph::MergeMode::kConcat};
      const ValueId y_fused = fused.add_node(
          op_def<Bidirectional>(), a,
          {fv["x"], f_ids, fv["w_f"], fv["u_f"], fv["b_f"], fv["w_b"], fv["u_b"], fv["b_b"]}, "y");
      const ValueId mask = composite.add_input("mask", Shape{kB, kT, 1});
      Builder b{composite};
      const ValueId fwd =
          composite_lstm(b, cv["x"], mask, cv["w_f"], cv["u_f"], cv["b_f"], rs, false);
      const ValueId xr = b.node(op_def<ReverseSequence>(), graph::NoAttrs{}, {cv["x"], ids});
      ValueId bwd = composite_lstm(b, xr, mask, cv["w_b"], cv["u_b"], cv["b_b"], rs, false);
      if (rs) bwd = b.node(op_def<ReverseSequence>(), graph::NoAttrs{}, {bwd, ids});
      const ValueId y_comp = b.node(op_def<Concatenate>(), graph::ConcatenateAttrs{-1}, {fwd, bwd});
      const auto dy = testing::random_normal(kB * (rs ? kT : 1) * 2 * kH, 5);
      check_same(run(fused, y_fused, d, dy), run(composite, y_comp, d, dy));
    }
  }
}

}  // namespace
}  // namespace twinflow::ops
