#include "graph/spec/fields.h"

namespace twinflow::graph {

std::span<const InitializerKey> initializer_keys(std::string_view op) {
  static constexpr std::array<InitializerKey, 1> kEmbedding = {
      {{"embeddings_initializer", "embeddings"}}};
  static constexpr std::array<InitializerKey, 2> kDense = {
      {{"kernel_initializer", "kernel"}, {"bias_initializer", "bias"}}};
  // On a Bidirectional they set both directions' parameters of that kind.
  static constexpr std::array<InitializerKey, 3> kRecurrent = {
      {{"kernel_initializer", "kernel"},
       {"recurrent_initializer", "recurrent_kernel"},
       {"bias_initializer", "bias"}}};
  if (op == "Embedding") return kEmbedding;
  if (op == "Dense") return kDense;
  if (op == "LSTM" || op == "Bidirectional") return kRecurrent;
  return {};
}

Initializer default_initializer(Init kind) {
  switch (kind) {
    case Init::kUniform:
      return kSmallUniform;
    case Init::kNormal:
      return {Init::kNormal, 0.0, 0.05};
    default:
      return {kind, 0.0, 0.0};
  }
}

bool has_arguments(Init kind) {
  return kind == Init::kConstant || kind == Init::kUniform || kind == Init::kNormal;
}

OptimizerSpec default_optimizer(std::string_view name) {
  OptimizerSpec o;
  o.name = std::string(name);
  o.lr = name == "sgd" ? 0.01 : 0.001;
  return o;
}

}  // namespace twinflow::graph
