#include "tests/exchange/exchange_fixture.h"

#include <doctest/doctest.h>

#include <random>

#include "ops/registry.h"
#include "tests/cli/run_cli.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {

graph::Model model_from_text(const std::string& yaml) {
  ops::register_builtin_ops();
  graph::Diagnostics diags;
  std::optional<graph::ModelSpec> spec = graph::parse_spec(yaml, "test.yaml", diags);
  std::optional<graph::Model> model;
  if (spec) model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model.has_value(), diags.to_string());
  return std::move(*model);
}

graph::Model onnx_test_model(const std::string& name) {
  return model_from_text(read_all(source_path("tests/onnx/" + name + ".yaml")));
}

template <typename T>
void randomize(runtime::ParameterStore<T>& params, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  for (runtime::Parameter<T>& p : params.all())
    for (T& x : p.data.data) x = static_cast<T>(u(gen));
}

template void randomize(runtime::ParameterStore<float>&, unsigned);
template void randomize(runtime::ParameterStore<double>&, unsigned);

runtime::Vocabulary small_vocabulary() {
  return runtime::Vocabulary({"in", "the", "beginning", "was", "word", "and", "god", "light",
                              "darkness", "jesus", "wept", "love", "your", "enemies", "bless"});
}

std::vector<std::string> sample_texts() {
  return {"In the beginning was the Word",
          "Jesus wept.",
          "and God said, let there be light",
          "...",
          "love your enemies, bless them that curse you",
          "the word the word the word the word the word the word the word",
          "darkness"};
}

}  // namespace twinflow::testing
