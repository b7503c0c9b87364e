// tests/runtime/optimizer_fixture.h — a parameter store with chosen values and gradients.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir/graph.h"
#include "runtime/exec/parameter_store.h"

namespace twinflow::testing {

// Relative tolerance for optimizer results worked out by hand in double precision.
inline constexpr double kTight = 1e-12;

template <typename T = double>
struct Params {
  struct Def {
    std::string name;
    graph::Shape shape;
    bool trainable = true;
  };
  graph::Graph graph;
  std::unique_ptr<runtime::ParameterStore<T>> store;

  explicit Params(const std::vector<Def>& defs) {
    for (const Def& d : defs)
      graph.add_parameter(d.name, d.shape, graph::Init::kZeros, d.trainable);
    store = std::make_unique<runtime::ParameterStore<T>>(graph, 0);
  }
  // One parameter "w" of shape [values.size()].
  Params(std::initializer_list<T> values) : Params(std::vector<T>(values)) {}
  explicit Params(std::vector<T> values)
      : Params(std::vector<Def>{{"w", graph::Shape{static_cast<int64_t>(values.size())}, true}}) {
    w().data.data = std::move(values);
  }
  runtime::Parameter<T>& operator[](size_t k) { return store->all()[k]; }
  runtime::Parameter<T>& w() { return store->all()[0]; }
  ops::AlignedVector<T>& value(size_t k = 0) { return store->all()[k].data.data; }
  void set_grad(size_t k, std::vector<T> g) { store->all()[k].grad.data = std::move(g); }
};

}  // namespace twinflow::testing
