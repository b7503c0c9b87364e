#include "runtime/exchange/onnx_export.h"

#include <fmt/format.h>

#include <limits>
#include <map>
#include <utility>

#include "graph/ir/attrs.h"
#include "runtime/exchange/onnx_graph.h"
#include "runtime/exchange/onnx_lstm.h"
#include "runtime/io/atomic_file.h"

namespace twinflow::runtime {

namespace {

using graph::ValueId;
using Weights = std::map<ValueId, std::vector<float>>;
using Ints = std::vector<int64_t>;

constexpr int64_t kOpset = 17;  // the newest ONNX 1.12 (Debian 12's libonnx) knows

const std::map<std::string_view, std::string_view>& same_name_ops() {
  static const std::map<std::string_view, std::string_view> ops = {
      {"Neg", "Neg"},     {"Exp", "Exp"},    {"Log", "Log"},         {"Sqrt", "Sqrt"},
      {"Abs", "Abs"},     {"Tanh", "Tanh"},  {"Sigmoid", "Sigmoid"}, {"Relu", "Relu"},
      {"Add", "Add"},     {"Sub", "Sub"},    {"Mul", "Mul"},         {"Div", "Div"},
      {"Maximum", "Max"}, {"Minimum", "Min"}};
  return ops;
}

// One twinflow node at a time, in graph order; names_ maps each value to its ONNX tensor.
class Converter {
 public:
  Converter(const graph::Graph& g, const Weights& weights, OnnxGraph& out)
      : g_(g), weights_(weights), out_(out) {}

  void bind(ValueId v, std::string name) { names_[v] = std::move(name); }
  const std::string& name(ValueId v) const { return names_.at(v); }

  void convert_all() {
    for (const graph::Node& n : g_.nodes()) names_[n.output] = convert(n);
  }

 private:
  std::string in(ValueId v) {
    if (const auto it = names_.find(v); it != names_.end()) return it->second;
    const graph::Value& value = g_.value(v);
    if (value.kind != graph::ValueKind::kConstant)
      throw std::logic_error("ONNX export: " + g_.describe_value(v) + " has no tensor yet");
    return names_[v] = out_.scalar(static_cast<float>(value.constant));
  }

  const std::vector<float>& weight(ValueId v) const { return weights_.at(v); }

  std::string convert(const graph::Node& n) {
    std::vector<ValueId> data, params;
    bool masked = false;
    for (ValueId v : n.inputs) {
      const graph::Value& value = g_.value(v);
      if (value.kind == graph::ValueKind::kParameter)
        params.push_back(v);
      else if (value.dtype == graph::DType::kInt32 && n.op->name != "Embedding")
        masked = true;
      else
        data.push_back(v);
    }
    const std::string_view op = n.op->name;
    if (const auto it = same_name_ops().find(op); it != same_name_ops().end()) {
      std::vector<std::string> xs;
      for (ValueId v : data) xs.push_back(in(v));
      return out_.add1(it->second, xs, n.name);
    }
    if (op == "Square") return out_.add1("Mul", {in(data[0]), in(data[0])}, n.name);
    if (op == "Embedding") return embedding(n, data[0], params[0]);
    if (op == "Dense") return dense(n, data[0], params);
    if (op == "LSTM" || op == "Bidirectional") return lstm(n, data[0], masked, params);
    if (op == "GlobalAveragePooling1D" || op == "GlobalMaxPooling1D")
      return pooling(n, in(data[0]), masked);
    if (op == "ReverseSequence") return reverse(n, in(data[0]), masked);
    if (const auto* a = std::any_cast<graph::ReduceAttrs>(&n.attrs))
      return reduce(n, data, a->axis, a->keepdims);
    if (const auto* a = std::any_cast<graph::NormAttrs>(&n.attrs))
      return norm(n.name, in(data[0]), a->axis, a->keepdims, a->eps);
    if (const auto* a = std::any_cast<graph::CosineAttrs>(&n.attrs)) return cosine(n, data, *a);
    if (const auto* a = std::any_cast<graph::SliceAttrs>(&n.attrs))
      return out_.add1(
          "Slice",
          {in(data[0]), out_.int64s({a->begin}), out_.int64s({a->end}), out_.int64s({a->axis})},
          n.name);
    if (const auto* a = std::any_cast<graph::ConcatenateAttrs>(&n.attrs)) {
      std::vector<std::string> xs;
      for (ValueId v : data) xs.push_back(in(v));
      return out_.add1("Concat", xs, n.name, {{"axis", int64_t{a->axis}}});
    }
    throw graph::RuntimeInputError(fmt::format(
        "the tower holds node '{}' ({}), which the ONNX exporter does not convert; it converts {}",
        n.name, op, fmt::join(onnx_exportable_ops(), ", ")));
  }

  std::string embedding(const graph::Node& n, ValueId ids, ValueId table) {
    if (std::any_cast<graph::EmbeddingAttrs>(n.attrs).subwords)
      throw graph::RuntimeInputError(fmt::format(
          "node '{}' (Embedding) adds subword vectors, whose n-grams are cut and hashed from the "
          "text outside the graph; the ONNX exporter converts Embeddings without subwords",
          n.name));
    std::vector<float> w = weight(table);
    const graph::Shape& shape = g_.value(table).shape;
    if (std::any_cast<graph::EmbeddingAttrs>(n.attrs).mask_zero)
      std::fill(w.begin(), w.begin() + shape[1], 0.0f);
    return out_.add1("Gather", {out_.floats(n.name + "/embeddings", w, shape.dims()), in(ids)},
                     n.name, {{"axis", int64_t{0}}});
  }

  std::string dense(const graph::Node& n, ValueId x, const std::vector<ValueId>& params) {
    const auto& a = std::any_cast<graph::DenseAttrs>(n.attrs);
    const std::string kernel =
        out_.floats(n.name + "/kernel", weight(params[0]), g_.value(params[0]).shape.dims());
    std::string bias;
    if (params.size() > 1)
      bias = out_.floats(n.name + "/bias", weight(params[1]), g_.value(params[1]).shape.dims());
    const bool act = a.activation != graph::Activation::kLinear;
    const std::string hint = act ? n.name + "/linear" : n.name;
    std::string y;
    if (g_.value(x).shape.rank() == 2) {
      std::vector<std::string> xs{in(x), kernel};
      if (!bias.empty()) xs.push_back(bias);
      y = out_.add1("Gemm", xs, hint);
    } else {
      y = out_.add1("MatMul", {in(x), kernel}, bias.empty() ? hint : n.name + "/matmul");
      if (!bias.empty()) y = out_.add1("Add", {y, bias}, hint);
    }
    switch (a.activation) {
      case graph::Activation::kLinear:
        return y;
      case graph::Activation::kRelu:
        return out_.add1("Relu", {y}, n.name);
      case graph::Activation::kSigmoid:
        return out_.add1("Sigmoid", {y}, n.name);
      case graph::Activation::kTanh:
        return out_.add1("Tanh", {y}, n.name);
      case graph::Activation::kSoftmax:
        return out_.add1("Softmax", {y}, n.name, {{"axis", int64_t{-1}}});
    }
    return y;
  }

  std::string lstm(const graph::Node& n, ValueId x, bool masked, const std::vector<ValueId>& p) {
    std::vector<LstmWeights> dirs;
    for (size_t k = 0; k + 2 < p.size(); k += 3)
      dirs.push_back({&weight(p[k]), &weight(p[k + 1]), &weight(p[k + 2])});
    return lstm_to_onnx(out_, n, in(x), g_.value(x).shape[2], masked, dirs);
  }

  std::string pooling(const graph::Node& n, const std::string& x, bool masked) {
    const bool average = n.op->name == "GlobalAveragePooling1D";
    if (!masked)
      return out_.add1(average ? "ReduceMean" : "ReduceMax", {x}, n.name,
                       {{"axes", Ints{1}}, {"keepdims", int64_t{0}}});
    const std::string weights = out_.step_weights();
    const std::string count = out_.add1("ReduceSum", {weights, out_.int64s({1})}, n.name + "/count",
                                        {{"keepdims", int64_t{0}}});
    if (average) {
      const std::string sum = out_.add1(
          "ReduceSum", {out_.add1("Mul", {x, weights}, n.name + "/real"), out_.int64s({1})},
          n.name + "/sum", {{"keepdims", int64_t{0}}});
      return out_.add1("Div", {sum, out_.add1("Max", {count, out_.scalar(1.0f)}, n.name + "/n")},
                       n.name);
    }
    const std::string real = out_.add1("Cast", {weights}, n.name + "/is_real",
                                       {{"to", int64_t{onnx::TensorProto::BOOL}}});
    const std::string lowest = out_.scalar(-std::numeric_limits<float>::infinity());
    const std::string max =
        out_.add1("ReduceMax", {out_.add1("Where", {real, x, lowest}, n.name + "/real")},
                  n.name + "/max", {{"axes", Ints{1}}, {"keepdims", int64_t{0}}});
    const std::string any = out_.add1("Greater", {count, out_.scalar(0.0f)}, n.name + "/any");
    return out_.add1("Where", {any, max, out_.scalar(0.0f)}, n.name);
  }

  std::string reverse(const graph::Node& n, const std::string& x, bool masked) {
    if (!masked)
      return out_.add1("Slice",
                       {x, out_.int64s({-1}), out_.int64s({std::numeric_limits<int64_t>::min()}),
                        out_.int64s({1}), out_.int64s({-1})},
                       n.name);
    const std::string lengths = out_.add1("Cast", {out_.lengths()}, n.name + "/lengths",
                                          {{"to", int64_t{onnx::TensorProto::INT64}}});
    return out_.add1("ReverseSequence", {x, lengths}, n.name,
                     {{"batch_axis", int64_t{0}}, {"time_axis", int64_t{1}}});
  }

  std::string reduce(const graph::Node& n, const std::vector<ValueId>& data, int axis,
                     bool keepdims) {
    const std::string_view op = n.op->name;
    std::string x = in(data[0]);
    if (op == "Dot") x = out_.add1("Mul", {x, in(data[1])}, n.name + "/product");
    const int64_t keep = keepdims ? 1 : 0;
    if (op == "ReduceSum" || op == "Dot")
      return out_.add1("ReduceSum", {x, out_.int64s({axis})}, n.name, {{"keepdims", keep}});
    return out_.add1(op, {x}, n.name, {{"axes", Ints{axis}}, {"keepdims", keep}});
  }

  // √max(Σ x², eps²)
  std::string norm(const std::string& hint, const std::string& x, int axis, bool keepdims,
                   double eps) {
    const std::string squares = out_.add1("ReduceSumSquare", {x}, hint + "/squares",
                                          {{"axes", Ints{axis}}, {"keepdims", int64_t{keepdims}}});
    const auto eps2 = static_cast<float>(eps * eps);
    return out_.add1("Sqrt", {out_.add1("Max", {squares, out_.scalar(eps2)}, hint + "/clamped")},
                     hint);
  }

  // a·b / (max(|a|, eps) · max(|b|, eps))
  std::string cosine(const graph::Node& n, const std::vector<ValueId>& data,
                     const graph::CosineAttrs& a) {
    const std::string x = in(data[0]), y = in(data[1]);
    const std::string dot = out_.add1(
        "ReduceSum", {out_.add1("Mul", {x, y}, n.name + "/product"), out_.int64s({a.axis})},
        n.name + "/dot", {{"keepdims", int64_t{a.keepdims}}});
    const auto clamped = [&](const std::string& v, const std::string& hint) {
      const std::string squares =
          out_.add1("ReduceSumSquare", {v}, hint + "/squares",
                    {{"axes", Ints{a.axis}}, {"keepdims", int64_t{a.keepdims}}});
      return out_.add1("Max",
                       {out_.add1("Sqrt", {squares}, hint), out_.scalar(static_cast<float>(a.eps))},
                       hint + "/clamped");
    };
    const std::string norms = out_.add1(
        "Mul", {clamped(x, n.name + "/norm_a"), clamped(y, n.name + "/norm_b")}, n.name + "/norms");
    return out_.add1("Div", {dot, norms}, n.name);
  }

  const graph::Graph& g_;
  const Weights& weights_;
  OnnxGraph& out_;
  std::map<ValueId, std::string> names_;
};

void set_shape(onnx::ValueInfoProto* info, int type, const std::vector<std::string>& dims,
               int64_t last) {
  onnx::TypeProto_Tensor* t = info->mutable_type()->mutable_tensor_type();
  t->set_elem_type(type);
  for (const std::string& d : dims) t->mutable_shape()->add_dim()->set_dim_param(d);
  if (last > 0) t->mutable_shape()->add_dim()->set_dim_value(last);
}

std::string model_bytes(const graph::Model& tower, const Weights& weights) {
  const graph::Graph& g = *tower.graph;
  if (tower.spec.inputs.size() != 1 || tower.spec.inputs[0].dtype != graph::DType::kInt32 ||
      tower.outputs.size() != 1 || g.value(tower.outputs[0]).shape.rank() != 2)
    throw graph::RuntimeInputError(fmt::format(
        "model '{}' is not a tower (one int32 text input, one output [B, D]): export it with "
        "--format onnx from the model it is part of",
        tower.spec.name));
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("twinflow");
  model.add_opset_import()->set_version(kOpset);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name(tower.spec.name);
  const std::string& input = tower.spec.inputs[0].name;
  graph->set_doc_string(fmt::format(
      "{}: token ids int64 [batch, seq] from twinflow's tokenizer and vocabulary, 0 = padding "
      "after the real tokens; output: the tower's vector [batch, D]",
      input));
  set_shape(graph->add_input(), onnx::TensorProto::INT64, {"batch", "seq"}, 0);
  graph->mutable_input(0)->set_name(input);
  OnnxGraph out(*graph, input);
  Converter converter(g, weights, out);
  converter.bind(tower.values.at(input), input);
  converter.convert_all();
  // The output carries the spec's name for it ("anchor_vec"), not its last node's.
  const std::string& output_name = tower.spec.outputs[0].name;
  std::string y = converter.name(tower.outputs[0]);
  if (y != output_name) y = out.add1("Identity", {y}, output_name);
  onnx::ValueInfoProto* output = graph->add_output();
  output->set_name(y);
  set_shape(output, onnx::TensorProto::FLOAT, {"batch"}, g.value(tower.outputs[0]).shape[1]);
  return model.SerializeAsString();
}

}  // namespace

const std::vector<std::string_view>& onnx_exportable_ops() {
  static const std::vector<std::string_view> ops = {"Embedding",
                                                    "LSTM",
                                                    "Bidirectional",
                                                    "Dense",
                                                    "GlobalAveragePooling1D",
                                                    "GlobalMaxPooling1D",
                                                    "Add",
                                                    "Sub",
                                                    "Mul",
                                                    "Div",
                                                    "Maximum",
                                                    "Minimum",
                                                    "Neg",
                                                    "Exp",
                                                    "Log",
                                                    "Sqrt",
                                                    "Square",
                                                    "Abs",
                                                    "Tanh",
                                                    "Sigmoid",
                                                    "Relu",
                                                    "ReduceSum",
                                                    "ReduceMean",
                                                    "ReduceMax",
                                                    "Dot",
                                                    "L2Norm",
                                                    "Cosine",
                                                    "Slice",
                                                    "Concatenate",
                                                    "ReverseSequence"};
  return ops;
}

template <typename T>
std::string onnx_model_bytes(const graph::Model& tower, const ParameterStore<T>& params) {
  Weights weights;
  for (const Parameter<T>& p : params.all())
    weights[p.value] = std::vector<float>(p.data.data.begin(), p.data.data.end());
  return model_bytes(tower, weights);
}

template <typename T>
void write_onnx(const std::string& path, const graph::Model& tower,
                const ParameterStore<T>& params) {
  write_file_atomically(path, onnx_model_bytes(tower, params));
}

template std::string onnx_model_bytes(const graph::Model&, const ParameterStore<float>&);
template std::string onnx_model_bytes(const graph::Model&, const ParameterStore<double>&);
template void write_onnx(const std::string&, const graph::Model&, const ParameterStore<float>&);
template void write_onnx(const std::string&, const graph::Model&, const ParameterStore<double>&);

}  // namespace twinflow::runtime
