// Weights by parameter name: saving a store, loading it back, and reporting what did not match.
#include "runtime/io/weights_file.h"

#include <doctest/doctest.h>

#include "tests/runtime/optimizer_fixture.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using graph::Shape;
using testing::Params;
using testing::TempDir;

template <typename T>
Params<T> model() {
  Params<T> p({{"emb.embeddings", Shape{3, 2}, false},
               {"head.kernel", Shape{2, 1}, true},
               {"head.bias", Shape{1}, true}});
  p.value(0) = {1, 2, 3, 4, 5, 6};
  p.value(1) = {T(0.25), T(-0.5)};
  p.value(2) = {T(0.1)};
  return p;
}

TEST_SUITE("runtime.safetensors") {
  TEST_CASE("a float32 store saves F32 tensors by name, frozen ones too, and loads into float64") {
    TempDir dir;
    Params<float> source = model<float>();
    save_weights(dir.path("w.safetensors"), *source.store, {{"model", "tiny"}});
    const SafetensorsContent file = read_safetensors(dir.path("w.safetensors"));
    CHECK(file.metadata.at("model") == "tiny");
    CHECK(file.tensors.size() == 3);
    CHECK(file.tensors.at("emb.embeddings").dtype == StoredDType::kF32);
    CHECK(file.tensors.at("head.kernel").shape == Shape{2, 1});

    Params<double> target({{"emb.embeddings", Shape{3, 2}, false},
                           {"head.kernel", Shape{2, 1}, true},
                           {"head.bias", Shape{1}, true}});
    const WeightsLoadReport report =
        load_weights(dir.path("w.safetensors"), *target.store, LoadMode::kStrict);
    CHECK(report.complete());
    CHECK(report.loaded.size() == 3);
    CHECK(target.value(0) == std::vector<double>{1, 2, 3, 4, 5, 6});
    CHECK(target.value(1) == std::vector<double>{0.25, -0.5});
    CHECK(target.value(2)[0] == static_cast<double>(0.1f));  // float's 0.1, widened exactly
    CHECK(report.summary() == "loaded 3 of 3 parameters");
  }

  TEST_CASE("missing, unexpected and mismatched names are reported by name") {
    Params<double> saved = model<double>();
    SafetensorsContent file;
    file.tensors["emb.embeddings"] = to_stored(saved[0].data);
    file.tensors["head.kernal"] = to_stored(saved[1].data);                   // a typo
    file.tensors["head.bias"] = to_stored(ops::Tensor<double>(Shape{2}, 9));  // wrong shape
    file.tensors["extra.table"] = to_stored(ops::Tensor<double>(Shape{1}));
    Params<double> p = model<double>();
    p.value(0) = {0, 0, 0, 0, 0, 0};

    const WeightsLoadReport report = load_weights(file, *p.store, LoadMode::kReport, "w.st");
    CHECK(report.loaded == std::vector<std::string>{"emb.embeddings"});
    CHECK(report.missing == std::vector<std::string>{"head.kernel"});
    CHECK(report.unexpected == std::vector<std::string>{"extra.table", "head.kernal"});
    CHECK(report.mismatched ==
          std::vector<std::string>{"head.bias: the file has [2], the model [1]"});
    CHECK(report.summary() ==
          "loaded 1 of 3 parameters; missing from the file: head.kernel; not in the model: "
          "extra.table, head.kernal (did you mean 'head.kernel'?); mismatched: head.bias: the "
          "file has [2], the model [1]");
    CHECK(p.value(0) == std::vector<double>{1, 2, 3, 4, 5, 6});  // what matched was loaded
    CHECK(p.value(2) == std::vector<double>{0.1});               // what did not was kept

    Params<double> strict = model<double>();
    strict.value(0) = {0, 0, 0, 0, 0, 0};
    CHECK_THROWS_WITH_AS(
        load_weights(file, *strict.store, LoadMode::kStrict, "w.st"),
        "w.st: missing from the file: head.kernel; not in the model: extra.table, head.kernal "
        "(did you mean 'head.kernel'?); mismatched: head.bias: the file has [2], "
        "the model [1]",
        SafetensorsError);
    CHECK(strict.value(0) == std::vector<double>{0, 0, 0, 0, 0, 0});  // nothing changed
  }

  TEST_CASE("match_weights reports from the graph alone what a load would report") {
    Params<double> saved = model<double>();
    SafetensorsContent file;
    file.tensors["emb.embeddings"] = to_stored(saved[0].data);
    file.tensors["head.kernal"] = to_stored(saved[1].data);
    file.tensors["head.bias"] = to_stored(ops::Tensor<int32_t>(Shape{1}));
    const WeightsLoadReport report = match_weights(file, saved.graph);
    CHECK(report.loaded.empty());  // nothing is loaded
    CHECK(report.parameters == 3);
    CHECK(report.problems() ==
          "missing from the file: head.kernel; not in the model: head.kernal (did you mean "
          "'head.kernel'?); mismatched: head.bias: the file holds I32 values, the model floats");
    Params<double> p = model<double>();
    CHECK(load_weights(file, *p.store, LoadMode::kReport, "w.st").problems() == report.problems());
    file.tensors.erase("head.kernal");
    file.tensors["head.kernel"] = to_stored(saved[1].data);
    file.tensors["head.bias"] = to_stored(saved[2].data);
    CHECK(match_weights(file, saved.graph).complete());
  }

  TEST_CASE("an integer tensor under a parameter's name is a mismatch naming it") {
    Params<float> p = model<float>();
    SafetensorsContent file;
    file.tensors["head.bias"] = to_stored(ops::Tensor<int32_t>(Shape{1}));
    const WeightsLoadReport report = load_weights(file, *p.store, LoadMode::kReport, "w.st");
    CHECK(report.mismatched ==
          std::vector<std::string>{"head.bias: the file holds I32 values, the model floats"});
    CHECK(report.missing.size() == 2);
  }
}

}  // namespace
}  // namespace twinflow::runtime
