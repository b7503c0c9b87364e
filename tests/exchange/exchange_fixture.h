// tests/exchange/exchange_fixture.h — the models the exchange tests export: the specs of
// tests/onnx/ (the shapes of the shipped networks, shrunk) built, with every parameter drawn at
// random (biases too, so a gate or a bias put in the wrong place shows), and a vocabulary.
#pragma once

#include <string>
#include <vector>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::testing {

// "pairs_sum" -> the model of tests/onnx/pairs_sum.yaml.
graph::Model onnx_test_model(const std::string& name);
graph::Model model_from_text(const std::string& yaml);

// Uniform in [-0.5, 0.5], from seed.
template <typename T>
void randomize(runtime::ParameterStore<T>& params, unsigned seed);

runtime::Vocabulary small_vocabulary();
// Texts over small_vocabulary(): some with unknown words, one without a token, one too long.
std::vector<std::string> sample_texts();

}  // namespace twinflow::testing
