// graph/model/ (twinflow_graph_model): where a ModelSpec becomes a Graph.
// Owns name resolution, layer calls, losses, shape inference, sharing checks, the summary.
// May include: graph/spec, graph/lambda, graph/yaml, graph/ir.
//
// graph/model/model.h — builds a ModelSpec into a Graph, with every name resolved and every shape
// inferred, and no tensor allocated.
//
// What the build checks, reporting every error in one pass (a definition that fails is
// skipped, and so is everything that reads it, so one mistake gives one message):
//   - names: an undefined value or layer (with "did you mean"), a name defined twice (as an
//     input, a layer or a graph value), a cycle among graph definitions ("a -> b -> a");
//   - calls: a layer called with the wrong number of values, a Sequential that contains itself;
//   - shapes: every op's shape rule, naming the node, its op and the producers of its inputs;
//     a layer applied to inputs of incompatible shapes in two places, naming both nodes;
//   - Lambda expressions and loss expressions, with the column inside the expression;
//   - outputs and the loss: undefined values, a missing target, a loss that is not a scalar;
//   - initializers given for a parameter the layer does not have.
// And warns:
//   - an input that nothing reads;
//   - two layers that are not shared but have identical configurations and are applied on
//     parallel branches (neither reads the other): the mark of a mistyped Siamese branch.
//
// Naming: a definition "x1: bilstm(emb(left))" makes node "x1" (bilstm) and, for the nested
// call, node "x1.emb". A Sequential applied as "a: tower(anchor)" opens scope "a" and makes a
// node per layer, "a/emb", "a/bilstm", ..., the last one named "a" itself. A Lambda applied as
// "d: dist(x1, x2)" makes its primitive nodes "d/<Op><k>" in scope "d" (graph/lambda/lambda.h). The
// loss node is "loss" (an expression loss: scope "loss").
//
// Masks: a value made by Embedding(mask_zero) carries its token ids as a mask; LSTM and
// Bidirectional read it (as their optional second input) and pass it on when they return
// sequences, and so do Dense and elementwise ops that keep the time axis.
//
// Subwords: an Embedding with `subwords:` must read a text input directly; the build adds the
// input "<text input>:subwords" that carries the n-gram rows of its tokens (SubwordInput).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/ir/diagnostics.h"
#include "graph/ir/graph.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {

// One call written in the spec's `graph:` section (a whole Lambda or Sequential is one).
struct Application {
  std::string name;                 // the node name ("x1", "x1.emb") or the scope of a composite
  std::string layer;                // the layer called
  std::string op;                   // its op ("Bidirectional", "Lambda", "Sequential")
  std::vector<std::string> inputs;  // names of the values it reads
  std::vector<ValueId> outputs;
  SourceLoc loc;
};

// A text input read by an Embedding with subwords: the model has a second int32 input,
// [B, T, subword_slots], that carries each token's n-gram rows (runtime/text/subwords.h).
struct SubwordInput {
  std::string pieces;  // that input's name: "<text input>:subwords"
  SubwordAttrs subwords;
  int64_t first_row = 0;  // the first bucket's row: the Embedding's vocab

  int64_t slots() const { return subword_slots(subwords); }  // n-gram rows per token
};

struct Model {
  ModelSpec spec;
  std::unique_ptr<Graph> graph;
  std::map<std::string, ValueId> values;  // inputs and graph definitions by name
  std::vector<Application> applications;  // in build order
  std::vector<ValueId> outputs;
  std::optional<ValueId> loss;
  std::map<std::string, SubwordInput> subword_inputs;  // by the text input's name

  LayerId layer_id(std::string_view name) const;  // throws GraphError if absent
  // The subwords cut from text input `name`, or nullptr when it has none.
  const SubwordInput* subword_input(const std::string& name) const;
};

// Ops must be registered (ops::register_builtin_ops()). Returns nothing when any error was
// found; diags holds the errors and warnings. Never throws on bad input.
std::optional<Model> build_model(const ModelSpec& spec, Diagnostics& diags);

}  // namespace twinflow::graph
