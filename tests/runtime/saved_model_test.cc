// A saved model directory loaded as eval, embed and similar load it (with_saved_model): the
// weights it holds, and a spec.yaml that declares more than they hold.
#include "runtime/saved/saved_model.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "graph/spec/spec.h"
#include "ops/registry.h"
#include "runtime/io/weights_file.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using testing::TempDir;

// A pair model whose Embedding has `vocab` rows of `dim` numbers.
std::string pair_spec(int64_t vocab, int64_t dim) {
  return fmt::format(R"Y(model: tiny
inputs:
  left:  {{shape: [4], dtype: int32}}
  right: {{shape: [4], dtype: int32}}
  label: {{shape: [1], dtype: float32}}
layers:
  emb:  {{op: Embedding, vocab: {}, dim: {}}}
  pool: {{op: GlobalAveragePooling1D}}
  dist: {{op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}}
  head: {{op: Dense, units: 1, activation: sigmoid}}
graph:
  x1: pool(emb(left))
  x2: pool(emb(right))
  pred: head(dist(x1, x2))
outputs: [pred]
loss: {{op: binary_crossentropy, pred: pred, target: label}}
)Y",
                     vocab, dim);
}

// The directory of the model with 8 × 3 embeddings and parameters from seed 7.
void write_saved_model(const TempDir& dir) {
  ops::register_builtin_ops();
  graph::Diagnostics diags;
  const std::optional<graph::ModelSpec> spec = graph::parse_spec(pair_spec(8, 3), "s", diags);
  REQUIRE_MESSAGE(spec.has_value(), diags.to_string());
  const std::optional<graph::Model> model = graph::build_model(*spec, diags);
  REQUIRE_MESSAGE(model.has_value(), diags.to_string());
  save_weights(dir.path("weights.safetensors"), ParameterStore<float>(*model->graph, 7));
  dir.write("spec.yaml", pair_spec(8, 3));
  dir.write("vocab.txt", "in\nthe\nbeginning\n");
  TrainState state;
  state.seed = 3;
  write_state(dir.dir().string(), state);
}

TEST_SUITE("runtime.saved") {
  TEST_CASE("with_saved_model hands the body a store holding the directory's weights") {
    TempDir dir;
    write_saved_model(dir);
    const SafetensorsContent file = read_safetensors(dir.path("weights.safetensors"));
    const int status = with_saved_model(
        dir.dir().string(), [&](const SavedModel& saved, const ModelRoles& roles, auto& params) {
          CHECK(saved.vocab.size() == 5);
          CHECK(roles.target == "label");
          REQUIRE(params.all().size() == file.tensors.size());
          for (const auto& p : params.all()) {
            const auto expected = stored_values<float>(file.tensors.at(p.name), p.name);
            CHECK(std::equal(expected.begin(), expected.end(), p.data.data.begin()));
          }
          return 5;
        });
    CHECK(status == 5);
  }

  // Read with nlohmann's get<int64_t>(), an epoch written 1e300 was undefined behaviour (the
  // fuzzer's UndefinedBehaviorSanitizer stopped on it) and 1.5 read as 1; a wrong type gave
  // the library's message without the key.
  TEST_CASE("state.json: every key is checked and named in the error") {
    TempDir dir;
    write_saved_model(dir);
    const std::string path = dir.path("state.json");
    auto state_with = [&](const std::string& fields) {
      dir.write("state.json",
                "{\"best_epoch\": 0, \"stale_epochs\": 0, \"seed\": 1, " + fields + "}");
      return dir.dir().string();
    };
    const std::string good = R"("epoch": 2, "step": 8, "dtype": "float64")";
    const TrainState s = read_state(state_with(good));
    CHECK(s.epoch == 2);
    CHECK(s.step == 8);
    CHECK(s.dtype == "float64");
    CHECK(std::isnan(s.best_value));  // absent: none yet
    CHECK(s.monitor == "val_loss");
    CHECK(!s.threshold);
    // A state saved before `monitor:` existed: its best_val_loss is the best value.
    const TrainState old = read_state(state_with(std::string(good) + R"(, "best_val_loss": 0.25)"));
    CHECK(old.best_value == 0.25);
    CHECK(old.monitor == "val_loss");
    CHECK(read_state(state_with(std::string(good) + R"(, "threshold": 0.375)")).threshold == 0.375);
    const std::string whole = " must be a whole number from 0 to 9223372036854775807, found ";
    CHECK_THROWS_WITH_AS(read_state(state_with(R"("epoch": 1e300, "step": 8, "dtype": "float32")")),
                         (path + ": not a valid state file: 'epoch'" + whole + "1e+300").c_str(),
                         ModelDirError);
    CHECK_THROWS_WITH_AS(read_state(state_with(R"("epoch": 1.5, "step": 8, "dtype": "float32")")),
                         (path + ": not a valid state file: 'epoch'" + whole + "1.5").c_str(),
                         ModelDirError);
    CHECK_THROWS_WITH_AS(read_state(state_with(R"("epoch": 1, "step": -3, "dtype": "float32")")),
                         (path + ": not a valid state file: 'step'" + whole + "-3").c_str(),
                         ModelDirError);
    CHECK_THROWS_WITH_AS(read_state(state_with(R"("epoch": 1, "step": "two", "dtype": 32)")),
                         (path + ": not a valid state file: 'step'" + whole + "\"two\"").c_str(),
                         ModelDirError);
    CHECK_THROWS_WITH_AS(
        read_state(state_with(R"("epoch": 1, "step": 2, "dtype": 32)")),
        (path + ": not a valid state file: 'dtype' must be a string, found 32").c_str(),
        ModelDirError);
    CHECK_THROWS_WITH_AS(read_state(state_with(R"("epoch": 1, "dtype": "float32")")),
                         (path + ": not a valid state file: it has no 'step'").c_str(),
                         ModelDirError);
    CHECK_THROWS_WITH_AS(
        read_state(state_with(R"("epoch": 1, "step": 2, "dtype": "float32", "initial_loss": "x")")),
        (path + ": not a valid state file: 'initial_loss' must be a number, found \"x\"").c_str(),
        ModelDirError);
    CHECK_THROWS_WITH_AS(
        read_state(state_with(R"("epoch": 1, "step": 2, "dtype": "float32", "batch": -1)")),
        (path + ": not a valid state file: 'batch'" + whole + "-1").c_str(), ModelDirError);
    CHECK_THROWS_WITH_AS(
        read_state(state_with(
            R"("epoch": 1, "step": 2, "dtype": "float32", "inputs": [{"role": "data", "path": 3}])")),
        (path + ": not a valid state file: each of 'inputs' must hold the strings role, path and "
                "sha256, found {\"path\":3,\"role\":\"data\"}")
            .c_str(),
        ModelDirError);
    const TrainState with_inputs = read_state(state_with(
        R"("epoch": 1, "step": 2, "dtype": "float32", "batch": 3, "checkpoint": "step-2", )"
        R"("inputs": [{"role": "data", "path": "a.tsv", "sha256": "00"}])"));
    CHECK(with_inputs.batch == 3);
    CHECK(with_inputs.checkpoint == "step-2");
    REQUIRE(with_inputs.inputs.size() == 1);
    CHECK(with_inputs.inputs[0].path == "a.tsv");
    dir.write("state.json", "[1, 2]");
    CHECK_THROWS_WITH_AS(
        read_state(dir.dir().string()),
        (path + ": not a valid state file: it must hold a JSON object, not array").c_str(),
        ModelDirError);
  }

  // The store was allocated from spec.yaml before the weights were read: a spec.yaml edited
  // to declare an Embedding of 40,000,000 rows (one changed number in a small directory) made
  // eval and embed allocate and initialise 960 MB, and the fuzzer's load of it ran for minutes
  // before the weights refused it. Now the weights are matched first. This spec's table would
  // take 8 TB: the error shows which check came first.
  TEST_CASE("a spec.yaml declaring more than its weights hold is refused before allocating") {
    TempDir dir;
    write_saved_model(dir);
    dir.write("spec.yaml", pair_spec(2'000'000'000, 1000));
    auto body = [](const SavedModel&, const ModelRoles&, auto&) { return 0; };
    CHECK_THROWS_WITH_AS(
        with_saved_model(dir.dir().string(), body),
        fmt::format("{}: mismatched: emb.embeddings: the file has [8, 3], the model "
                    "[2000000000, 1000]",
                    dir.path("weights.safetensors"))
            .c_str(),
        SafetensorsError);
  }
}

}  // namespace
}  // namespace twinflow::runtime
