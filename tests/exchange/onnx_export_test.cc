// ONNX export: the file passes ONNX's own checker with full shape inference, declares int64 ids
// in and the vector out, and holds the LSTM weights in ONNX's gate order. Its numbers are
// checked against embed in ONNX Runtime by tests/onnx/onnx_runtime_test.mjs (ctest onnx.runtime).
#include "runtime/exchange/onnx_export.h"

#include <doctest/doctest.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "runtime/exchange/onnx_lstm.h"
#include "runtime/exchange/tower_model.h"
#include "tests/exchange/exchange_fixture.h"

namespace twinflow::runtime {
namespace {

onnx::ModelProto exported(const std::string& name, const std::string& tower = "") {
  const graph::Model model = testing::onnx_test_model(name);
  ParameterStore<double> params(*model.graph, 1);
  testing::randomize(params, 3);
  const graph::Model alone = build_tower(tower_spec(model, tower));
  ParameterStore<double> alone_params(*alone.graph, 1);
  copy_parameters(params, alone_params);
  onnx::ModelProto proto;
  REQUIRE(proto.ParseFromString(onnx_model_bytes(alone, alone_params)));
  return proto;
}

int count_ops(const onnx::GraphProto& g, const std::string& op) {
  int n = 0;
  for (const onnx::NodeProto& node : g.node()) n += node.op_type() == op;
  return n;
}

TEST_SUITE("exchange.onnx") {
  TEST_CASE("every test tower passes ONNX's checker and strict shape inference") {
    for (const char* name : {"pairs_sum", "pairs_average", "triplet_dense", "triplet_pooled"}) {
      CAPTURE(name);
      onnx::ModelProto proto = exported(name);
      CHECK_NOTHROW(onnx::checker::check_model(proto));
      onnx::ShapeInferenceOptions strict{true, 1, true};
      CHECK_NOTHROW(
          onnx::shape_inference::InferShapes(proto, onnx::OpSchemaRegistry::Instance(), strict));
      // The inferred vector has the tower's width.
      CHECK(proto.graph().output(0).type().tensor_type().shape().dim(1).dim_value() > 0);
      CHECK(proto.opset_import(0).version() >= 14);
      const onnx::GraphProto& g = proto.graph();
      REQUIRE(g.input_size() == 1);
      CHECK(g.input(0).type().tensor_type().elem_type() == onnx::TensorProto::INT64);
      CHECK(g.input(0).type().tensor_type().shape().dim(1).dim_param() == "seq");
      REQUIRE(g.output_size() == 1);
      CHECK(g.output(0).type().tensor_type().elem_type() == onnx::TensorProto::FLOAT);
      CHECK(count_ops(g, "LSTM") == 1);
      CHECK(count_ops(g, "Gather") == 1);
    }
  }

  TEST_CASE("names, masks and ops of the cosine Siamese tower") {
    const onnx::ModelProto proto = exported("pairs_sum");
    const onnx::GraphProto& g = proto.graph();
    CHECK(g.input(0).name() == "left");
    CHECK(g.output(0).name() == "left_vec");
    CHECK(count_ops(g, "ReduceSum") == 2);  // the lengths, and the sum over time
    for (const onnx::NodeProto& node : g.node()) {
      if (node.op_type() != "LSTM") continue;
      REQUIRE(node.input_size() == 5);
      CHECK(node.input(4) == "lengths");  // sequence_lens, counted from the ids in-graph
      for (const onnx::AttributeProto& a : node.attribute())
        if (a.name() == "direction") CHECK(a.s() == "bidirectional");
    }
    const onnx::ModelProto dense = exported("triplet_dense");
    CHECK(count_ops(dense.graph(), "Gemm") == 2);
    const onnx::ModelProto pooled = exported("triplet_pooled");
    CHECK(count_ops(pooled.graph(), "MatMul") == 1);
    for (const onnx::NodeProto& node : pooled.graph().node())
      for (const onnx::AttributeProto& a : node.attribute())
        if (a.name() == "direction") CHECK(a.s() == "reverse");
  }

  TEST_CASE("gates go from i, f, c, o to ONNX's i, o, f, c, each matrix transposed") {
    // kernel [2 rows, 4 gates × 1 unit]: entry (r, g) = 10·r + g
    const std::vector<float> kernel = {0, 1, 2, 3, 10, 11, 12, 13};
    CHECK(onnx_gate_rows(kernel, 2, 1) == std::vector<float>{0, 10, 3, 13, 1, 11, 2, 12});
  }

  TEST_CASE("an op the exporter does not convert is refused by name") {
    graph::Model model = testing::model_from_text(
        "model: m\ninputs: {ids: {shape: [4], dtype: int32}}\nlayers:\n"
        "  emb: {op: Embedding, vocab: 9, dim: 2}\n  flat: {op: GlobalAveragePooling1D}\n"
        "graph:\n  v: flat(emb(ids))\noutputs: [v]\n");
    ParameterStore<float> params(*model.graph, 1);
    CHECK_NOTHROW(onnx_model_bytes(model, params));
    // The graph IR holds ops no layer spec declares, the losses: one of them in a tower.
    graph::Graph& g = *model.graph;
    const graph::ValueId y =
        g.add_node(*graph::op_registry().find("BinaryCrossentropy"),
                   graph::BinaryCrossentropyAttrs{}, {model.outputs[0], model.outputs[0]}, "bce");
    CHECK(y > model.outputs[0]);
    CHECK_THROWS_WITH_AS(onnx_model_bytes(model, params),
                         doctest::Contains("node 'bce' (BinaryCrossentropy), which the ONNX "
                                           "exporter does not convert"),
                         graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime
