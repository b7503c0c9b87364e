// Weights to Keras HDF5 and to PyTorch names and back, bit for bit; the layouts and names each
// framework expects; files as Keras itself lays them out; and the names that map to nothing.
#include <doctest/doctest.h>

#include "runtime/exchange/hdf5_file.h"
#include "runtime/exchange/keras_h5.h"
#include "runtime/exchange/torch_names.h"
#include "runtime/io/weights_file.h"
#include "tests/exchange/exchange_fixture.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using testing::TempDir;

template <typename T>
void check_equal_stores(const ParameterStore<T>& a, const ParameterStore<T>& b) {
  REQUIRE(a.all().size() == b.all().size());
  for (size_t i = 0; i < a.all().size(); ++i) {
    CAPTURE(a.all()[i].name);
    CHECK(a.all()[i].data.shape == b.all()[i].data.shape);
    CHECK(std::memcmp(a.all()[i].data.data.data(), b.all()[i].data.data.data(),
                      a.all()[i].data.data.size() * sizeof(T)) == 0);
  }
}

template <typename T>
void check_round_trips(const std::string& name) {
  CAPTURE(name);
  const graph::Model model = testing::onnx_test_model(name);
  ParameterStore<T> params(*model.graph, 1);
  testing::randomize(params, 11);
  params.all()[0].data.data[0] = T(-0.0);  // a negative zero survives both trips
  TempDir dir;
  write_keras_h5(dir.path("w.h5"), model, params);
  ParameterStore<T> from_keras(*model.graph, 2);
  load_weights(read_keras_h5(dir.path("w.h5"), *model.graph), from_keras, LoadMode::kStrict, "h5");
  check_equal_stores(params, from_keras);

  write_safetensors(dir.path("t.safetensors"), torch_weights(model, params));
  ParameterStore<T> from_torch(*model.graph, 3);
  load_weights(from_torch_names(read_safetensors(dir.path("t.safetensors")), *model.graph, "t"),
               from_torch, LoadMode::kStrict, "t");
  check_equal_stores(params, from_torch);
}

TEST_SUITE("exchange.weights") {
  TEST_CASE("Keras HDF5 and PyTorch names round-trip every test model bit for bit") {
    for (const char* name : {"pairs_sum", "pairs_average", "triplet_dense", "triplet_pooled"}) {
      check_round_trips<float>(name);
      check_round_trips<double>(name);
    }
  }

  TEST_CASE("the Keras file: layer groups, weight_names in Keras's order, Keras layouts") {
    const graph::Model model = testing::onnx_test_model("pairs_sum");
    ParameterStore<float> params(*model.graph, 1);
    testing::randomize(params, 5);
    TempDir dir;
    write_keras_h5(dir.path("w.h5"), model, params);
    const Hdf5File file = Hdf5File::open(dir.path("w.h5"));
    CHECK(file.read_strings(file.id(), "layer_names") ==
          std::vector<std::string>{"emb", "bilstm", "head"});
    const Hdf5Handle bilstm = file.group(file.id(), "bilstm");
    CHECK(file.read_strings(bilstm.id(), "weight_names") ==
          std::vector<std::string>{"bilstm/forward_lstm/lstm_cell/kernel:0",
                                   "bilstm/forward_lstm/lstm_cell/recurrent_kernel:0",
                                   "bilstm/forward_lstm/lstm_cell/bias:0",
                                   "bilstm/backward_lstm/lstm_cell/kernel:0",
                                   "bilstm/backward_lstm/lstm_cell/recurrent_kernel:0",
                                   "bilstm/backward_lstm/lstm_cell/bias:0"});
    const Hdf5Array kernel = file.read_array(bilstm.id(), "bilstm/forward_lstm/lstm_cell/kernel:0");
    CHECK(kernel.dims == std::vector<int64_t>{8, 24});
    CHECK_FALSE(kernel.is_double);
    CHECK(static_cast<float>(kernel.values[1]) ==
          params.find("bilstm.forward.kernel")->data.data[1]);
  }

  TEST_CASE("a whole-model Keras file with a nested tower model reads by layer names") {
    // As Keras 2's model.save() lays out a functional model applying a Sequential "encoder":
    // /model_weights/encoder holds the weights of its layers under their own names.
    const graph::Model model = testing::model_from_text(R"yaml(model: m
inputs: {ids: {shape: [4], dtype: int32}}
layers:
  emb: {op: Embedding, vocab: 5, dim: 2}
  lstm: {op: LSTM, units: 1}
  pool: {op: Dense, units: 1}
graph: {v: "pool(lstm(emb(ids)))"}
outputs: [v]
)yaml");
    TempDir dir;
    {
      const Hdf5File file = Hdf5File::create(dir.path("keras.h5"));
      const Hdf5Handle root = file.create_group(file.id(), "model_weights");
      file.write_strings(root.id(), "layer_names", {"input_1", "encoder", "pool"});
      file.create_group(root.id(), "input_1");
      const Hdf5Handle encoder = file.create_group(root.id(), "encoder");
      const std::vector<std::string> names = {"emb/embeddings:0", "lstm/lstm_cell/kernel:0",
                                              "lstm/lstm_cell/recurrent_kernel:0",
                                              "lstm/lstm_cell/bias:0"};
      file.write_strings(encoder.id(), "weight_names", names);
      file.write_array(encoder.id(), names[0], {5, 2}, {0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, false);
      file.write_array(encoder.id(), names[1], {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}, false);
      file.write_array(encoder.id(), names[2], {1, 4}, {9, 10, 11, 12}, false);
      file.write_array(encoder.id(), names[3], {4}, {0, 1, 0, 0}, false);
      const Hdf5Handle pool = file.create_group(root.id(), "pool");
      file.write_strings(pool.id(), "weight_names", {"pool/kernel:0", "pool/bias:0"});
      file.write_array(pool.id(), "pool/kernel:0", {1, 1}, {0.5}, false);
      file.write_array(pool.id(), "pool/bias:0", {1}, {-0.25}, false);
    }
    ParameterStore<float> params(*model.graph, 1);
    load_weights(read_keras_h5(dir.path("keras.h5"), *model.graph), params, LoadMode::kStrict,
                 "keras.h5");
    CHECK(params.find("lstm.recurrent_kernel")->data.data == std::vector<float>{9, 10, 11, 12});
    CHECK(params.find("emb.embeddings")->data.data[9] == 8.0f);
    CHECK(params.find("pool.bias")->data.data == std::vector<float>{-0.25f});

    const Hdf5File bad = Hdf5File::create(dir.path("bad.h5"));
    bad.write_strings(bad.id(), "layer_names", {"dense_7"});
    const Hdf5Handle g = bad.create_group(bad.id(), "dense_7");
    bad.write_strings(g.id(), "weight_names", {"dense_7/kernel:0"});
    bad.write_array(g.id(), "dense_7/kernel:0", {1, 1}, {1}, false);
    CHECK_THROWS_WITH_AS(read_keras_h5(dir.path("bad.h5"), *model.graph),
                         doctest::Contains("weight 'dense_7/dense_7/kernel:0' belongs to no layer "
                                           "of the model (its layers with weights: emb, lstm, "
                                           "pool)"),
                         Hdf5Error);
    CHECK_THROWS_WITH_AS(read_keras_h5(dir.path("missing.h5"), *model.graph),
                         doctest::Contains("not an HDF5 file"), Hdf5Error);
  }

  TEST_CASE("PyTorch names and layouts: Linear and LSTM matrices transposed, two biases") {
    const graph::Model model = testing::onnx_test_model("pairs_sum");
    ParameterStore<float> params(*model.graph, 1);
    testing::randomize(params, 5);
    const SafetensorsContent t = torch_weights(model, params);
    std::vector<std::string> names;
    for (const auto& [name, tensor] : t.tensors) names.push_back(name);
    CHECK(names == std::vector<std::string>{"bilstm.bias_hh_l0", "bilstm.bias_hh_l0_reverse",
                                            "bilstm.bias_ih_l0", "bilstm.bias_ih_l0_reverse",
                                            "bilstm.weight_hh_l0", "bilstm.weight_hh_l0_reverse",
                                            "bilstm.weight_ih_l0", "bilstm.weight_ih_l0_reverse",
                                            "emb.weight", "head.bias", "head.weight"});
    CHECK(t.tensors.at("bilstm.weight_ih_l0").shape == graph::Shape{24, 8});
    CHECK(t.tensors.at("bilstm.weight_hh_l0_reverse").shape == graph::Shape{24, 6});
    const graph::Model dense = testing::onnx_test_model("triplet_dense");
    ParameterStore<float> dense_params(*dense.graph, 1);
    testing::randomize(dense_params, 5);
    const SafetensorsContent linear = torch_weights(dense, dense_params);
    CHECK(linear.tensors.at("hidden.weight").shape == graph::Shape{7, 6});  // kernel [6, 7]
    CHECK(stored_values<float>(linear.tensors.at("hidden.weight"), "w")[1 * 6 + 4] ==
          dense_params.find("hidden.kernel")->data.data[4 * 7 + 1]);
    const std::vector<float> w = stored_values<float>(t.tensors.at("bilstm.weight_ih_l0"), "w");
    const std::vector<float>& kernel = params.find("bilstm.forward.kernel")->data.data;
    CHECK(w[3 * 8 + 5] == kernel[5 * 24 + 3]);  // weight_ih[g, e] = kernel[e, g]
    CHECK(stored_values<float>(t.tensors.at("bilstm.bias_hh_l0"), "b") ==
          std::vector<float>(24, 0.0f));

    SafetensorsContent summed = t;
    summed.tensors["bilstm.bias_hh_l0"] =
        to_stored(std::span<const float>(std::vector<float>(24, 1.0f)), graph::Shape{24});
    const SafetensorsContent back = from_torch_names(summed, *model.graph, "t");
    CHECK(stored_values<float>(back.tensors.at("bilstm.forward.bias"), "b")[2] ==
          params.find("bilstm.forward.bias")->data.data[2] + 1.0f);
  }

  TEST_CASE("PyTorch names that map to nothing are errors naming them") {
    const graph::Model model = testing::onnx_test_model("pairs_sum");
    ParameterStore<float> params(*model.graph, 1);
    const SafetensorsContent t = torch_weights(model, params);
    const auto without = [&](const std::string& name) {
      SafetensorsContent c = t;
      c.tensors.erase(name);
      return c;
    };
    const auto with = [&](const std::string& name) {
      SafetensorsContent c = t;
      c.tensors[name] = t.tensors.at("head.bias");
      return c;
    };
    CHECK_THROWS_WITH_AS(from_torch_names(with("decoder.weight"), *model.graph, "f"),
                         doctest::Contains("f: tensor 'decoder.weight' names no layer of the "
                                           "model; the model's layers with weights: emb, bilstm, "
                                           "head"),
                         SafetensorsError);
    CHECK_THROWS_WITH_AS(from_torch_names(with("bilstm.weight_ih_l1"), *model.graph, "f"),
                         doctest::Contains("is not of the first layer of an nn.LSTM"),
                         SafetensorsError);
    CHECK_THROWS_WITH_AS(from_torch_names(without("bilstm.bias_hh_l0"), *model.graph, "f"),
                         doctest::Contains("has no partner 'bilstm.bias_hh_l0'"), SafetensorsError);
    ParameterStore<float> target(*model.graph, 1);
    CHECK_THROWS_WITH_AS(load_weights(from_torch_names(without("emb.weight"), *model.graph, "f"),
                                      target, LoadMode::kStrict, "f"),
                         doctest::Contains("missing from the file: emb.embeddings"),
                         SafetensorsError);
    CHECK_THROWS_WITH_AS(load_weights(from_torch_names(with("head.scale"), *model.graph, "f"),
                                      target, LoadMode::kStrict, "f"),
                         doctest::Contains("head.scale"), SafetensorsError);
  }
}

}  // namespace
}  // namespace twinflow::runtime
