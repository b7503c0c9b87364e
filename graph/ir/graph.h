// graph/ir/ (twinflow_graph_ir): the graph IR every other folder builds on.
// Owns values, shapes, dtypes, nodes, layers, op schemas, typed attributes and diagnostics.
// May include: nothing of twinflow (fmt only).
//
// graph/ir/graph.h — the dataflow graph IR.
//
// Values are the edges: graph inputs, parameters, constants and node outputs. A node applies
// one op to values and produces one value. A layer owns named parameters ("emb.embeddings");
// every node that applies the layer takes the same parameter values as its trailing inputs,
// which is all weight sharing is: autodiff sums the gradient of a value over its consumers.
//
// Nodes can only consume values that already exist, so insertion order is a topological
// order and the IR cannot hold a cycle; topological_order() orders named definitions (a
// spec's `graph:` section) before they are added, and reports a cycle by name.
#pragma once

#include <any>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/ir/errors.h"
#include "graph/ir/op_schema.h"

namespace twinflow::graph {

using ValueId = int;
using NodeId = int;
using LayerId = int;

// The most nodes a graph may hold. A spec of a few lines can ask for any number (a Sequential
// of ten Sequentials of ten Sequentials ... of ten layers makes 10^depth calls); past this,
// add_node refuses, so such a spec is refused at once rather than built for hours. The
// networks twinflow is for have tens of nodes, an LSTM unrolled into primitives a few thousand.
inline constexpr size_t kMaxNodes = 10'000;

enum class ValueKind { kInput, kParameter, kConstant, kNodeOutput };

struct Value {
  std::string name;
  ValueKind kind = ValueKind::kInput;
  DType dtype = DType::kReal;
  Shape shape;
  NodeId producer = -1;   // kNodeOutput only
  LayerId layer = -1;     // kParameter owned by a layer
  ParamSpec param;        // kParameter: local name and initialiser
  bool trainable = true;  // kParameter only
  double constant = 0.0;  // kConstant: a scalar
  SourceLoc loc;
};

struct Node {
  std::string name;
  const OpSchema* op = nullptr;
  std::any attrs;
  std::vector<ValueId> inputs;  // data inputs, then the layer's parameters
  ValueId output = -1;
  LayerId layer = -1;
  std::string scope;  // the composite this node belongs to ("dist" for a Lambda's nodes)
  SourceLoc loc;
};

struct Layer {
  std::string name;
  const OpSchema* op = nullptr;
  std::any attrs;
  bool trainable = true;
  std::vector<ValueId> params;  // empty until first applied
  std::vector<NodeId> uses;
  // Initializers replacing the op's defaults, by parameter kind: "kernel" applies to every
  // parameter whose local name is "kernel" or ends in ".kernel" (both LSTM directions).
  std::vector<std::pair<std::string, Initializer>> initializers;
  SourceLoc loc;
};

class Graph {
 public:
  ValueId add_input(std::string name, Shape shape, DType dtype = DType::kReal, SourceLoc loc = {});
  // A free-standing parameter not owned by a layer (useful in tests and expressions).
  ValueId add_parameter(std::string name, Shape shape, Initializer init = Init::kGlorotUniform,
                        bool trainable = true);
  ValueId add_constant(double value, std::string name = {});

  // Adds a primitive node; its shape rule runs now, and a ShapeError comes back as a
  // GraphError naming the node, its op and the producer of every input. Throws GraphError
  // when the graph already holds kMaxNodes nodes.
  ValueId add_node(const OpSchema& op, std::any attrs, std::vector<ValueId> inputs,
                   std::string name, SourceLoc loc = {});

  LayerId add_layer(std::string name, const OpSchema& op, std::any attrs, bool trainable = true,
                    SourceLoc loc = {});
  // Must come before the layer's first application, which creates its parameters.
  void set_initializer(LayerId layer, std::string kind, Initializer init);
  // Applies a layer to data inputs. The first application creates the layer's parameters
  // from the op's param_specs; later ones must ask for the same parameter shapes.
  ValueId apply(LayerId layer, std::vector<ValueId> data_inputs, std::string node_name,
                SourceLoc loc = {});

  // Nodes added while a scope is open belong to it (nested scopes join with '/'); drawings
  // box them as one composite.
  void push_scope(const std::string& name);
  void pop_scope();

  const std::vector<Value>& values() const { return values_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Layer>& layers() const { return layers_; }
  const Value& value(ValueId id) const { return values_.at(static_cast<size_t>(id)); }
  const Node& node(NodeId id) const { return nodes_.at(static_cast<size_t>(id)); }
  const Layer& layer(LayerId id) const { return layers_.at(static_cast<size_t>(id)); }

  std::optional<ValueId> find_value(std::string_view name) const;
  std::optional<LayerId> find_layer(std::string_view name) const;
  std::vector<ValueId> inputs() const;
  std::vector<ValueId> parameters() const;
  // Nodes reading a value, in insertion order.
  std::vector<NodeId> consumers(ValueId v) const;
  // How many of a node's inputs are data: all but its layer's parameters, which come last.
  size_t data_input_count(NodeId n) const;

  // "node 'x1' (Bidirectional)" / "input 'left'" / "parameter 'emb.embeddings'"
  std::string describe_value(ValueId v) const;

 private:
  ValueId push_value(Value v);
  std::vector<Value> values_;
  std::map<std::string, ValueId, std::less<>> value_ids_;  // named values, for find_value
  std::vector<Node> nodes_;
  std::vector<Layer> layers_;
  std::vector<std::string> scopes_;
};

// Orders n named definitions so that each comes after those it depends on. deps(i) lists
// the indices definition i reads. Throws GraphError naming a cycle ("a -> b -> a").
std::vector<int> topological_order(const std::vector<std::string>& names,
                                   const std::function<std::vector<int>(int)>& deps);

}  // namespace twinflow::graph
