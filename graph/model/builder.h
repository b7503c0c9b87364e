// graph/model/builder.h — a model declared in C++ instead of YAML.
//
// ModelBuilder fills the ModelSpec that the YAML reader fills and builds it with build_model
// (graph/model/model.h), so a model written either way gets the same checks, node names,
// padding masks and summary, and trains, saves and loads the same way:
//
//   ModelBuilder b("cosine_siamese");
//   const Ref left = b.ids_input("left", 30);                     // int32 [B, 30]
//   const Ref right = b.ids_input("right", 30);
//   const Ref label = b.input("label", Shape{1});                 // float [B, 1]
//   const LayerRef emb = b.layer("emb", EmbeddingAttrs{20000, 100, true});
//   const LayerRef bilstm = b.layer("bilstm", BidirectionalAttrs{LstmAttrs{.units = 50}});
//   const LayerRef dist = b.lambda("dist", {"a", "b"}, "exp(-(1 - cosine(a, b)))");
//   const LayerRef head = b.layer("head", DenseAttrs{1, Activation::kSigmoid});
//   const Ref x1 = b.def("x1", bilstm(emb(left)));                // x1: bilstm(emb(left))
//   const Ref x2 = b.def("x2", bilstm(emb(right)));
//   const Ref pred = b.def("pred", head(dist(x1, x2)));
//   b.output(pred);
//   b.binary_crossentropy(pred, label);
//   Model model = b.build();
//
// Calling a LayerRef writes the call down; def() names it, and building makes its nodes (a
// nested call is named after its definition, "x1.emb"). A layer called in several definitions
// is one set of parameters: that is weight sharing. Names are identifiers
// ([A-Za-z_][A-Za-z0-9_]*); a name that is not throws GraphError at once. Everything else
// (an unknown op, a shape mismatch, a name defined twice) is reported by build(), all at once.
// Ops must be registered first (ops::register_builtin_ops()).
#pragma once

#include <any>
#include <concepts>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/diagnostics.h"
#include "graph/model/model.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {

// A value of the model being declared: an input or a definition by name, or a call not yet
// named, by the text it has in a spec's `graph:` section ("bilstm(emb(left))").
struct Ref {
  std::string text;
  bool named = false;
};

// A layer of the model being declared; calling it on values gives the call.
class LayerRef {
 public:
  Ref operator()(const std::same_as<Ref> auto&... xs) const { return call({xs...}); }
  Ref call(const std::vector<Ref>& xs) const;
  const std::string& name() const { return name_; }

 private:
  friend class ModelBuilder;
  explicit LayerRef(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string model_name);

  // Token ids [B, steps] (0 is padding), and real values [B, shape...].
  Ref ids_input(const std::string& name, int64_t steps);
  Ref input(const std::string& name, Shape shape, DType dtype = DType::kReal);

  // A layer of a registered op with its attributes (graph/ir/attrs.h); the overloads name the
  // op of the attributes that belong to one op.
  LayerRef layer(const std::string& name, const std::string& op, std::any attrs = NoAttrs{});
  LayerRef layer(const std::string& name, const EmbeddingAttrs& attrs);
  LayerRef layer(const std::string& name, const LstmAttrs& attrs);
  LayerRef layer(const std::string& name, const BidirectionalAttrs& attrs);
  LayerRef layer(const std::string& name, const DenseAttrs& attrs);
  // A Lambda: one expression per output over its argument names (graph/lambda/lambda.h).
  LayerRef lambda(const std::string& name, std::vector<std::string> args, std::string expr);
  LayerRef lambda(const std::string& name, std::vector<std::string> args,
                  std::vector<std::string> exprs);
  // The layers applied one after another; each call of it shares their parameters.
  LayerRef sequential(const std::string& name, const std::vector<LayerRef>& layers);

  // Before build(): how a parameter kind of the layer starts ("embeddings", "kernel",
  // "recurrent_kernel", "bias"), and whether the optimizer updates the layer.
  void set_initializer(const LayerRef& layer, const std::string& kind, Initializer init);
  void set_trainable(const LayerRef& layer, bool trainable);

  // Names a call; the call of a layer with several outputs (a Lambda with several expressions)
  // gets a name for each.
  Ref def(const std::string& name, const Ref& call);
  std::vector<Ref> defs(const std::vector<std::string>& names, const Ref& call);

  // Outputs and the loss read named values (inputs and definitions).
  void output(const Ref& value);
  void binary_crossentropy(const Ref& pred, const Ref& target, BinaryCrossentropyAttrs attrs = {});
  // A built-in loss by its spec name ("triplet_margin", "contrastive", ...), with its values by
  // role ("pred", "target", "distance") and its attributes.
  void loss(const std::string& op, const std::vector<std::pair<std::string, Ref>>& inputs,
            std::any attrs);
  // A scalar expression over named values: "mean(max(sum(square(a - p), -1) - ... , 0))".
  void loss_expression(std::string expr);

  // The spec so far; its `train` section holds the training defaults a Trainer reads.
  ModelSpec& spec() { return spec_; }
  const ModelSpec& spec() const { return spec_; }

  // Builds the spec: nothing when it has errors, every error and warning in diags.
  std::optional<Model> build(Diagnostics& diags) const;
  // Throws GraphError listing every error.
  Model build() const;

 private:
  LayerSpec& layer_spec(const LayerRef& layer);
  LayerRef add(LayerSpec layer);
  ModelSpec spec_;
};

}  // namespace twinflow::graph
