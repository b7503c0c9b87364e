// predict, embed and evaluate (python/bindings/model.h): the model in inference mode, as the
// command line's embed and eval run it, with the GIL released while it computes.
//
// predict feeds each token-id input its ids (or its texts through the vocabulary, as embed does)
// and each real input its numbers when given, zeros otherwise (a label is not needed to
// predict), and returns the spec's output as [N, ...]; a model with several outputs gives a dict
// of them. Rows go through in batches of batch_size (default:
// the spec's), each written straight into the result.
#include "runtime/saved/inference.h"

#include <fmt/format.h>

#include <deque>

#include "graph/ir/suggest.h"
#include "python/bindings/arrays.h"
#include "python/bindings/model.h"
#include "runtime/data/array_dataset.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/exec/executor.h"
#include "runtime/text/subwords.h"
#include "runtime/text/tokenizer.h"
#include "runtime/train/evaluation.h"
#include "tools/cli/eval_json.h"

namespace twinflow::python {

namespace {

// The inputs of one predict call, each [N, ...] as the spec declares it.
struct PredictInputs {
  int64_t rows = -1;
  std::vector<ops::IdTensor> ids;          // per int32 input, in the spec's order
  std::vector<ops::IdTensor> pieces;       // per int32 input: its subword rows, if it has any
  std::vector<ops::Tensor<double>> reals;  // per real input (zeros when not given)
};

// The ids of texts, and their subword rows when the model cuts subwords from this input.
std::pair<ops::IdTensor, ops::IdTensor> encode_texts(const std::vector<std::string>& texts,
                                                     int64_t length,
                                                     const runtime::Vocabulary& vocab,
                                                     const graph::SubwordInput* subwords) {
  const auto rows = static_cast<int64_t>(texts.size());
  const int64_t slots = subwords ? subwords->slots() : 0;
  std::pair<ops::IdTensor, ops::IdTensor> out{
      ops::IdTensor(graph::Shape{rows, length}),
      ops::IdTensor(subwords ? graph::Shape{rows, length, slots} : graph::Shape{0})};
  std::vector<std::string> tokens;
  for (size_t r = 0; r < texts.size(); ++r) {
    runtime::tokenize(texts[r], tokens);
    const auto at = r * static_cast<size_t>(length);
    runtime::encode_text(
        tokens, vocab, subwords,
        std::span<int32_t>(out.first.data).subspan(at, static_cast<size_t>(length)),
        std::span<int32_t>(out.second.data)
            .subspan(at * static_cast<size_t>(slots), static_cast<size_t>(length * slots)));
  }
  return out;
}

// Texts go through the vocabulary `vocab` returns (a ValueError when the model has none).
template <class Vocab>
PredictInputs predict_inputs(const py::dict& given, const graph::Model& model, Vocab vocab) {
  const graph::ModelSpec& spec = model.spec;
  std::vector<std::string> names;
  for (const graph::InputSpec& in : spec.inputs) names.push_back(in.name);
  for (const auto& [key, value] : given) {
    const std::string name = py::str(key).cast<std::string>();
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw ArgumentError(fmt::format("predict: the model has no input '{}'{} (its inputs are {})",
                                      name, graph::did_you_mean(name, names),
                                      fmt::join(names, ", ")));
  }
  PredictInputs inputs;
  const auto count_rows = [&](const std::string& name, int64_t n) {
    if (inputs.rows >= 0 && n != inputs.rows)
      throw ArgumentError(fmt::format("predict: input '{}' has {} rows, the inputs before it {}",
                                      name, n, inputs.rows));
    inputs.rows = n;
  };
  for (const graph::InputSpec& in : spec.inputs) {
    const py::str key(in.name);
    if (in.dtype == graph::DType::kInt32) {
      if (!given.contains(key))
        throw ArgumentError(fmt::format("predict: input '{}' (token ids [N, {}]) is missing",
                                        in.name, in.shape[0]));
      const py::object value = given[key];
      const graph::SubwordInput* subwords = model.subword_input(in.name);
      if (holds_texts(value)) {
        auto [ids, pieces] =
            encode_texts(texts_from(value, in.name, "predict"), in.shape[0], vocab(), subwords);
        inputs.ids.push_back(std::move(ids));
        inputs.pieces.push_back(std::move(pieces));
      } else if (subwords) {
        throw ArgumentError(
            fmt::format("predict: input '{}' feeds an Embedding with subwords, "
                        "which are cut from words: give texts, not token ids",
                        in.name));
      } else {
        inputs.ids.push_back(ids_from(value, in.name, in.shape[0], "predict"));
        inputs.pieces.emplace_back();
      }
      count_rows(in.name, inputs.ids.back().shape[0]);
    }
  }
  for (const graph::InputSpec& in : spec.inputs) {
    if (in.dtype == graph::DType::kInt32) continue;
    std::vector<int64_t> dims{std::max<int64_t>(inputs.rows, 0)};
    for (int64_t d : in.shape.dims()) dims.push_back(d);
    ops::Tensor<double>& t = inputs.reals.emplace_back(graph::Shape(dims));
    if (!given.contains(py::str(in.name))) continue;
    const py::array a = py::module_::import("numpy").attr("asarray")(given[py::str(in.name)]);
    const auto values = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!values || values.size() != t.size() || a.ndim() < 1 || a.shape(0) != dims[0])
      throw ArgumentError(fmt::format("predict: input '{}' takes numbers {}, got {}", in.name,
                                      graph::Shape(dims).to_string(), describe(a)));
    std::copy(values.data(), values.data() + values.size(), t.data.begin());
  }
  if (inputs.rows < 0) throw ArgumentError("predict: the model reads no token ids");
  return inputs;
}

// Rows [begin, begin + n) of a tensor [N, ...].
template <typename S, typename D>
void copy_rows(const ops::Tensor<S>& from, int64_t begin, int64_t n, ops::Tensor<D>& to) {
  std::vector<int64_t> dims = from.shape.dims();
  const int64_t row = from.size() / std::max<int64_t>(dims[0], 1);
  dims[0] = n;
  to.resize(graph::Shape(dims));
  std::transform(from.data.begin() + begin * row, from.data.begin() + (begin + n) * row,
                 to.data.begin(), [](S x) { return static_cast<D>(x); });
}

template <typename T>
std::vector<py::array_t<T>> predict_as(const graph::Model& model,
                                       runtime::ParameterStore<T>& params,
                                       const PredictInputs& inputs, int64_t batch) {
  const graph::Graph& g = *model.graph;
  std::vector<py::array_t<T>> outputs;
  std::vector<T*> write;
  std::vector<int64_t> row_size;
  for (graph::ValueId v : model.outputs) {
    std::vector<int64_t> dims = g.value(v).shape.dims();
    dims[0] = inputs.rows;
    outputs.push_back(new_array<T>(dims));
    write.push_back(outputs.back().mutable_data());
    row_size.push_back(graph::Shape(dims).num_elements() / std::max<int64_t>(inputs.rows, 1));
  }
  py::gil_scoped_release release;
  runtime::Executor<T> executor(g, params, runtime::stacking_of(model.spec.train));
  std::deque<ops::IdTensor> ids(inputs.ids.size());
  std::deque<ops::IdTensor> pieces(inputs.pieces.size());
  std::deque<ops::Tensor<T>> reals(inputs.reals.size());
  for (int64_t begin = 0; begin < inputs.rows; begin += batch) {
    const int64_t n = std::min(batch, inputs.rows - begin);
    size_t id = 0, real = 0;
    for (const graph::InputSpec& in : model.spec.inputs)
      if (in.dtype == graph::DType::kInt32) {
        if (const graph::SubwordInput* subwords = model.subword_input(in.name)) {
          copy_rows(inputs.pieces[id], begin, n, pieces[id]);
          executor.feed_ids(subwords->pieces, &pieces[id]);
        }
        copy_rows(inputs.ids[id], begin, n, ids[id]);
        executor.feed_ids(in.name, &ids[id++]);
      } else {
        copy_rows(inputs.reals[real], begin, n, reals[real]);
        executor.feed(in.name, &reals[real++]);
      }
    executor.forward(false, 0);
    for (size_t o = 0; o < model.outputs.size(); ++o) {
      const ops::Tensor<T>& y = executor.value(model.outputs[o]);
      std::copy(y.data.begin(), y.data.end(), write[o] + begin * row_size[o]);
    }
  }
  return outputs;
}

template <typename T>
py::array_t<T> vectors_array(const runtime::Vectors& v) {
  py::array_t<T> a = new_array<T>({v.rows, v.dim});
  std::transform(v.values.begin(), v.values.end(), a.mutable_data(),
                 [](double x) { return static_cast<T>(x); });
  return a;
}

}  // namespace

py::object Model::predict(const py::dict& inputs, std::optional<int64_t> batch_size) {
  const int64_t batch = batch_size.value_or(model_.spec.train.batch_size);
  if (batch < 1)
    throw ArgumentError(fmt::format("predict: batch_size must be >= 1, not {}", batch));
  const PredictInputs given =
      predict_inputs(inputs, model_,
                     [this]() -> const runtime::Vocabulary& { return text_vocabulary("predict"); });
  return std::visit(
      [&]<typename T>(Store<T>& store) -> py::object {
        const std::vector<py::array_t<T>> arrays = predict_as(model_, *store, given, batch);
        if (arrays.size() == 1) return arrays.front();
        py::dict outputs;
        for (size_t o = 0; o < arrays.size(); ++o)
          outputs[py::str(model_.graph->value(model_.outputs[o]).name)] = arrays[o];
        return outputs;
      },
      params_);
}

py::array Model::encode(const std::vector<std::string>& texts, const std::string& input) const {
  for (const graph::InputSpec& in : model_.spec.inputs)
    if (in.name == input && in.dtype == graph::DType::kInt32) {
      const ops::IdTensor ids =
          encode_texts(texts, in.shape[0], text_vocabulary("encode"), nullptr).first;
      py::array_t<int32_t> a = new_array<int32_t>(ids.shape.dims());
      std::copy(ids.data.begin(), ids.data.end(), a.mutable_data());
      return a;
    }
  throw ArgumentError(fmt::format("encode: the model has no text input '{}'", input));
}

py::array Model::embed(const std::vector<std::string>& texts, std::optional<int64_t> batch_size) {
  const int64_t batch = batch_size.value_or(model_.spec.train.batch_size);
  if (batch < 1) throw ArgumentError(fmt::format("embed: batch_size must be >= 1, not {}", batch));
  const runtime::Vocabulary& vocab = text_vocabulary("embed");
  const runtime::ModelRoles roles = runtime::model_roles(model_);
  return std::visit(
      [&]<typename T>(Store<T>& store) -> py::array {
        runtime::Vectors v;
        {
          py::gil_scoped_release release;
          v = runtime::embed_texts(model_, roles, vocab, *store, texts, batch);
        }
        return vectors_array<T>(v);
      },
      params_);
}

// As `twinflow eval DIR --data F --json`: the same document, as a dict.
py::dict Model::evaluate(const py::object& data, std::optional<int64_t> batch_size,
                         bool skip_bad_rows) {
  const int64_t batch = batch_size.value_or(model_.spec.train.batch_size);
  if (batch < 1)
    throw ArgumentError(fmt::format("evaluate: batch_size must be >= 1, not {}", batch));
  const runtime::ModelRoles roles = runtime::model_roles(model_);
  const std::vector<runtime::ColumnSpec> columns = runtime::input_columns(model_.spec);
  runtime::Dataset dataset;
  if (py::isinstance<py::dict>(data))
    dataset = runtime::dataset_from_arrays(
        columns, columns_from(py::reinterpret_borrow<py::dict>(data), model_.spec, "evaluate"),
        "evaluate");
  else
    dataset = runtime::read_tsv(py::module_::import("os").attr("fspath")(data).cast<std::string>(),
                                columns, {.skip_bad_rows = skip_bad_rows});
  if (dataset.has_text() || !model_.subword_inputs.empty())
    dataset.encode(text_vocabulary("evaluate"), model_.subword_inputs);
  nlohmann::ordered_json doc;
  std::visit(
      [&](auto& store) {
        py::gil_scoped_release release;
        runtime::Executor executor(*model_.graph, *store, runtime::stacking_of(model_.spec.train));
        const bool triplet = roles.family == runtime::ModelFamily::kTriplet;
        doc = cli::eval_json(roles, dataset,
                             runtime::evaluate(roles, executor, dataset, batch, triplet),
                             cli::decision_threshold("", state_, roles));
      },
      params_);
  return py::module_::import("json").attr("loads")(doc.dump());
}

}  // namespace twinflow::python
