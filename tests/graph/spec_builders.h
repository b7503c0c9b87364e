// tests/graph/spec_builders.h — ModelSpecs written in C++ for the build_model and summary
// tests, with made-up YAML positions in "t.yaml" so that error locations can be checked.
#pragma once

#include <any>
#include <string>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/diagnostics.h"
#include "graph/model/model.h"
#include "graph/spec/spec.h"

namespace twinflow::graph::testing {

inline SourceLoc at(int line, int column) { return SourceLoc{"t.yaml", line, column}; }

// Graph expressions start in column kDefColumn of their line ("  x1:   bilstm(...)").
inline constexpr int kDefColumn = 9;

inline InputSpec ids_input(const std::string& name, int64_t steps, int line) {
  return InputSpec{name, Shape{steps}, DType::kInt32, at(line, 3)};
}

inline InputSpec real_input(const std::string& name, Shape shape, int line) {
  return InputSpec{name, std::move(shape), DType::kReal, at(line, 3)};
}

inline LayerSpec layer(const std::string& name, const std::string& op, std::any attrs, int line) {
  LayerSpec l;
  l.name = name;
  l.op = op;
  l.attrs = std::move(attrs);
  l.loc = at(line, 3);
  l.op_loc = at(line, 15);
  return l;
}

inline LayerSpec lstm_layer(const std::string& name, int64_t units, int line) {
  BidirectionalAttrs a;
  a.layer.units = units;
  return layer(name, "Bidirectional", a, line);
}

inline LayerSpec embedding(const std::string& name, int64_t vocab, int64_t dim, bool mask_zero,
                           int line) {
  return layer(name, "Embedding", EmbeddingAttrs{vocab, dim, mask_zero}, line);
}

inline LayerSpec dense(const std::string& name, int64_t units, Activation activation, int line) {
  return layer(name, "Dense", DenseAttrs{units, activation, true}, line);
}

// Each expression starts in column expr_column of its own line, from `line` on.
inline LayerSpec lambda(const std::string& name, std::vector<std::string> args,
                        std::vector<std::string> exprs, int line, int expr_column = 30) {
  LayerSpec l = layer(name, "Lambda", NoAttrs{}, line);
  l.args = std::move(args);
  for (size_t i = 0; i < exprs.size(); ++i)
    l.expr_locs.push_back(at(line + static_cast<int>(i), expr_column));
  l.exprs = std::move(exprs);
  return l;
}

inline LayerSpec sequential(const std::string& name, std::vector<std::string> layers, int line) {
  LayerSpec l = layer(name, "Sequential", NoAttrs{}, line);
  for (size_t i = 0; i < layers.size(); ++i)
    l.layer_locs.push_back(at(line, 40 + 8 * static_cast<int>(i)));
  l.layers = std::move(layers);
  return l;
}

inline LayerSpec slice_part(const std::string& name, int64_t part, int64_t of, int line) {
  SliceSpec s;
  s.part = part;
  s.of = of;
  return layer(name, "Slice", s, line);
}

inline DefSpec multi_def(std::vector<std::string> names, const std::string& text, int line) {
  return DefSpec{std::move(names), text, at(line, 3), at(line, kDefColumn)};
}

inline DefSpec def(const std::string& name, const std::string& text, int line) {
  return multi_def({name}, text, line);
}

inline NameRef ref(const std::string& name, int line, int column = 12) {
  return NameRef{name, at(line, column)};
}

inline LossSpec builtin_loss(const std::string& op,
                             std::vector<std::pair<std::string, NameRef>> inputs, std::any attrs,
                             int line) {
  LossSpec l;
  l.op = op;
  l.inputs = std::move(inputs);
  l.attrs = std::move(attrs);
  l.loc = at(line, 7);
  return l;
}

inline LossSpec expression_loss(const std::string& expr, int line, int column = 20) {
  LossSpec l;
  l.op = "expression";
  l.expr = expr;
  l.expr_loc = at(line, column);
  l.loc = at(line, 7);
  return l;
}

// The cosine Siamese of docs/spec.md, small: left, right [B, 6] ids, vocab 50, dim 8, 5 units.
inline ModelSpec small_cosine_siamese() {
  ModelSpec s;
  s.file = "t.yaml";
  s.name = "cosine_siamese";
  s.inputs = {ids_input("left", 6, 2), ids_input("right", 6, 3), real_input("label", Shape{1}, 4)};
  s.layers = {embedding("emb", 50, 8, true, 6), lstm_layer("bilstm", 5, 7),
              lambda("dist", {"a", "b"}, {"exp(-(1 - cosine(a, b)))"}, 8),
              dense("head", 1, Activation::kSigmoid, 9)};
  s.defs = {def("x1", "bilstm(emb(left))", 11), def("x2", "bilstm(emb(right))", 12),
            def("pred", "head(dist(x1, x2))", 13)};
  s.outputs = {ref("pred", 14)};
  s.loss = builtin_loss("binary_crossentropy",
                        {{"pred", ref("pred", 15, 30)}, {"target", ref("label", 15, 50)}},
                        BinaryCrossentropyAttrs{}, 15);
  return s;
}

// The concatenated triplet: one Sequential tower (emb, bilstm, hidden, out) applied to anchor,
// positive and negative [B, 6]; Concatenate; Slice into thirds; the margin loss as an expression.
inline ModelSpec small_triplet() {
  ModelSpec s;
  s.name = "triplet";
  s.inputs = {ids_input("anchor", 6, 2), ids_input("positive", 6, 3), ids_input("negative", 6, 4)};
  s.layers = {embedding("emb", 50, 8, true, 6),
              lstm_layer("bilstm", 5, 7),
              dense("hidden", 7, Activation::kRelu, 8),
              dense("out", 4, Activation::kSigmoid, 9),
              sequential("tower", {"emb", "bilstm", "hidden", "out"}, 10),
              layer("cat", "Concatenate", ConcatenateAttrs{-1}, 11),
              slice_part("first", 0, 3, 12),
              slice_part("second", 1, 3, 13),
              slice_part("third", 2, 3, 14)};
  s.defs = {def("a", "tower(anchor)", 16),   def("p", "tower(positive)", 17),
            def("n", "tower(negative)", 18), def("z", "cat(a, p, n)", 19),
            def("ta", "first(z)", 20),       def("tp", "second(z)", 21),
            def("tn", "third(z)", 22)};
  s.outputs = {ref("z", 23)};
  s.loss = expression_loss(
      "mean(max(sum(square(ta - tp), -1) - sum(square(ta - tn), -1) + 0.400000, 0))", 24);
  return s;
}

// Builds and fails the test with every diagnostic when the build does not succeed.
inline Model build_ok(const ModelSpec& spec, Diagnostics& diags) {
  std::optional<Model> m = build_model(spec, diags);
  if (!m) throw GraphError("build_model failed:\n" + diags.to_string());
  return std::move(*m);
}

// The diagnostics whose text contains `needle`.
inline std::vector<Diagnostic> find_diagnostics(const Diagnostics& diags,
                                                const std::string& needle) {
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : diags.all())
    if (d.message.find(needle) != std::string::npos) out.push_back(d);
  return out;
}

}  // namespace twinflow::graph::testing
