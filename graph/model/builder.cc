#include "graph/model/builder.h"

#include <fmt/format.h>

#include <algorithm>

#include "graph/yaml/reader.h"

namespace twinflow::graph {

namespace {

// Names end up in the text of calls, where only an identifier reads back as one name.
const std::string& checked_name(const std::string& name, std::string_view what) {
  if (!is_identifier(name))
    throw GraphError(
        fmt::format("{} name '{}' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)", what, name));
  return name;
}

std::string named_value(const Ref& value, std::string_view role) {
  if (!value.named)
    throw GraphError(fmt::format(
        "the {} must be a named value, not the call {}: name it with def()", role, value.text));
  return value.text;
}

}  // namespace

Ref LayerRef::call(const std::vector<Ref>& xs) const {
  std::vector<std::string> args;
  for (const Ref& x : xs) args.push_back(x.text);
  return Ref{fmt::format("{}({})", name_, fmt::join(args, ", ")), false};
}

ModelBuilder::ModelBuilder(std::string model_name) { spec_.name = std::move(model_name); }

Ref ModelBuilder::ids_input(const std::string& name, int64_t steps) {
  return input(name, Shape{steps}, DType::kInt32);
}

Ref ModelBuilder::input(const std::string& name, Shape shape, DType dtype) {
  spec_.inputs.push_back(InputSpec{checked_name(name, "input"), std::move(shape), dtype, {}});
  return Ref{name, true};
}

LayerRef ModelBuilder::add(LayerSpec layer) {
  checked_name(layer.name, "layer");
  spec_.layers.push_back(std::move(layer));
  return LayerRef(spec_.layers.back().name);
}

LayerRef ModelBuilder::layer(const std::string& name, const std::string& op, std::any attrs) {
  LayerSpec l;
  l.name = name;
  l.op = op;
  l.attrs = std::move(attrs);
  return add(std::move(l));
}

LayerRef ModelBuilder::layer(const std::string& name, const EmbeddingAttrs& attrs) {
  return layer(name, "Embedding", attrs);
}

LayerRef ModelBuilder::layer(const std::string& name, const LstmAttrs& attrs) {
  return layer(name, "LSTM", attrs);
}

LayerRef ModelBuilder::layer(const std::string& name, const BidirectionalAttrs& attrs) {
  return layer(name, "Bidirectional", attrs);
}

LayerRef ModelBuilder::layer(const std::string& name, const DenseAttrs& attrs) {
  return layer(name, "Dense", attrs);
}

LayerRef ModelBuilder::lambda(const std::string& name, std::vector<std::string> args,
                              std::string expr) {
  return lambda(name, std::move(args), std::vector<std::string>{std::move(expr)});
}

LayerRef ModelBuilder::lambda(const std::string& name, std::vector<std::string> args,
                              std::vector<std::string> exprs) {
  LayerSpec l;
  l.name = name;
  l.op = "Lambda";
  l.attrs = NoAttrs{};
  for (const std::string& arg : args) checked_name(arg, "Lambda argument");
  l.args = std::move(args);
  l.exprs = std::move(exprs);
  return add(std::move(l));
}

LayerRef ModelBuilder::sequential(const std::string& name, const std::vector<LayerRef>& layers) {
  LayerSpec l;
  l.name = name;
  l.op = "Sequential";
  l.attrs = NoAttrs{};
  for (const LayerRef& inner : layers) l.layers.push_back(inner.name());
  return add(std::move(l));
}

LayerSpec& ModelBuilder::layer_spec(const LayerRef& layer) {
  const auto it = std::find_if(spec_.layers.begin(), spec_.layers.end(),
                               [&](const LayerSpec& l) { return l.name == layer.name(); });
  if (it == spec_.layers.end())
    throw GraphError(fmt::format("model '{}' has no layer '{}'", spec_.name, layer.name()));
  return *it;
}

void ModelBuilder::set_initializer(const LayerRef& layer, const std::string& kind,
                                   Initializer init) {
  auto& inits = layer_spec(layer).initializers;
  const auto it = std::find_if(inits.begin(), inits.end(),
                               [&](const auto& entry) { return entry.first == kind; });
  if (it != inits.end())
    it->second = init;
  else
    inits.emplace_back(kind, init);
}

void ModelBuilder::set_trainable(const LayerRef& layer, bool trainable) {
  layer_spec(layer).trainable = trainable;
}

Ref ModelBuilder::def(const std::string& name, const Ref& call) {
  return defs({name}, call).front();
}

std::vector<Ref> ModelBuilder::defs(const std::vector<std::string>& names, const Ref& call) {
  std::vector<Ref> refs;
  for (const std::string& name : names) refs.push_back(Ref{checked_name(name, "graph"), true});
  spec_.defs.push_back(DefSpec{names, call.text, {}, {}});
  return refs;
}

void ModelBuilder::output(const Ref& value) {
  spec_.outputs.push_back(NameRef{named_value(value, "output"), {}});
}

void ModelBuilder::binary_crossentropy(const Ref& pred, const Ref& target,
                                       BinaryCrossentropyAttrs attrs) {
  loss("binary_crossentropy", {{"pred", pred}, {"target", target}}, attrs);
}

void ModelBuilder::loss(const std::string& op,
                        const std::vector<std::pair<std::string, Ref>>& inputs, std::any attrs) {
  LossSpec l;
  l.op = op;
  for (const auto& [role, value] : inputs)
    l.inputs.emplace_back(role, NameRef{named_value(value, "loss's " + role), {}});
  l.attrs = std::move(attrs);
  spec_.loss = std::move(l);
}

void ModelBuilder::loss_expression(std::string expr) {
  LossSpec l;
  l.op = "expression";
  l.expr = std::move(expr);
  spec_.loss = std::move(l);
}

std::optional<Model> ModelBuilder::build(Diagnostics& diags) const {
  return build_model(spec_, diags);
}

Model ModelBuilder::build() const {
  Diagnostics diags;
  std::optional<Model> model = build(diags);
  if (!model)
    throw GraphError(fmt::format("model '{}' does not build:\n{}", spec_.name, diags.to_string()));
  return std::move(*model);
}

}  // namespace twinflow::graph
