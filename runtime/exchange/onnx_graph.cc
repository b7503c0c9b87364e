#include "runtime/exchange/onnx_graph.h"

#include <fmt/format.h>

#include <cstring>
#include <type_traits>

namespace twinflow::runtime {

OnnxGraph::OnnxGraph(onnx::GraphProto& graph, std::string ids)
    : graph_(graph), ids_(std::move(ids)) {
  used_[ids_] = 1;
}

std::string OnnxGraph::fresh(const std::string& hint) {
  int& n = used_[hint];
  return n++ == 0 ? hint : fmt::format("{}_{}", hint, n - 1);
}

std::vector<std::string> OnnxGraph::add(std::string_view op, std::vector<std::string> inputs,
                                        const std::string& hint, std::vector<OnnxAttr> attrs,
                                        int outputs) {
  onnx::NodeProto* node = graph_.add_node();
  node->set_op_type(std::string(op));
  node->set_name(fresh("node:" + hint));
  for (const std::string& in : inputs) node->add_input(in);
  std::vector<std::string> names;
  for (int k = 0; k < outputs; ++k) {
    names.push_back(fresh(hint));
    node->add_output(names.back());
  }
  for (const OnnxAttr& a : attrs) {
    onnx::AttributeProto* attr = node->add_attribute();
    attr->set_name(a.name);
    std::visit(
        [attr](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, int64_t>) {
            attr->set_type(onnx::AttributeProto::INT);
            attr->set_i(v);
          } else if constexpr (std::is_same_v<V, float>) {
            attr->set_type(onnx::AttributeProto::FLOAT);
            attr->set_f(v);
          } else if constexpr (std::is_same_v<V, std::string>) {
            attr->set_type(onnx::AttributeProto::STRING);
            attr->set_s(v);
          } else {
            attr->set_type(onnx::AttributeProto::INTS);
            for (int64_t i : v) attr->add_ints(i);
          }
        },
        a.value);
  }
  return names;
}

std::string OnnxGraph::add1(std::string_view op, std::vector<std::string> inputs,
                            const std::string& hint, std::vector<OnnxAttr> attrs) {
  return add(op, std::move(inputs), hint, std::move(attrs)).front();
}

std::string OnnxGraph::floats(const std::string& hint, const std::vector<float>& values,
                              std::vector<int64_t> dims) {
  onnx::TensorProto* t = graph_.add_initializer();
  t->set_name(fresh(hint));
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  // raw_data is little-endian, as the machine's floats are (runtime/io/safetensors.h).
  std::string raw(values.size() * sizeof(float), '\0');
  if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
  t->set_raw_data(std::move(raw));
  return t->name();
}

std::string OnnxGraph::scalar(float value) { return floats("const", {value}, {}); }

std::string OnnxGraph::int64s(const std::vector<int64_t>& values) {
  onnx::TensorProto* t = graph_.add_initializer();
  t->set_name(fresh("ints"));
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t->add_int64_data(v);
  return t->name();
}

std::string OnnxGraph::real_steps() {
  if (real_steps_.empty()) {
    const std::string zero = fresh("zero_id");
    onnx::TensorProto* t = graph_.add_initializer();
    t->set_name(zero);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_int64_data(0);
    real_steps_ = add1("Not", {add1("Equal", {ids_, zero}, "is_padding")}, "is_real");
  }
  return real_steps_;
}

std::string OnnxGraph::lengths() {
  if (lengths_.empty()) {
    const std::string ones =
        add1("Cast", {real_steps()}, "real_int", {{"to", int64_t{onnx::TensorProto::INT32}}});
    lengths_ = add1("ReduceSum", {ones, int64s({1})}, "lengths", {{"keepdims", int64_t{0}}});
  }
  return lengths_;
}

std::string OnnxGraph::step_weights() {
  if (step_weights_.empty()) {
    const std::string real =
        add1("Cast", {real_steps()}, "real_float", {{"to", int64_t{onnx::TensorProto::FLOAT}}});
    step_weights_ = add1("Unsqueeze", {real, int64s({2})}, "step_weights");
  }
  return step_weights_;
}

}  // namespace twinflow::runtime
