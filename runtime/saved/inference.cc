#include "runtime/saved/inference.h"

#include <algorithm>
#include <deque>

#include "runtime/exec/executor.h"
#include "runtime/text/line_reader.h"
#include "runtime/text/subwords.h"
#include "runtime/text/tokenizer.h"

namespace twinflow::runtime {

namespace {

// The tensors of one forward pass: input k of the spec reads ids[k] or reals[k].
template <typename T>
struct Feed {
  std::deque<ops::IdTensor> ids;
  std::deque<ops::Tensor<T>> reals;
};

// Feeds texts_for(input name, row) to the text inputs and zeros to the real ones.
template <typename T, class TextOf>
void feed_rows(const graph::Model& model, const Vocabulary& vocab, Executor<T>& executor,
               int64_t rows, TextOf text_of, Feed<T>& feed) {
  feed.ids.clear();
  feed.reals.clear();
  std::vector<std::string> tokens;
  for (const graph::InputSpec& in : model.spec.inputs) {
    if (in.dtype == graph::DType::kInt32) {
      const int64_t length = in.shape[0];
      ops::IdTensor& ids = feed.ids.emplace_back(graph::Shape({rows, length}));
      const graph::SubwordInput* cut = model.subword_input(in.name);
      const int64_t slots = cut ? cut->slots() : 0;
      ops::IdTensor& pieces =
          feed.ids.emplace_back(cut ? graph::Shape({rows, length, slots}) : graph::Shape{0});
      for (int64_t r = 0; r < rows; ++r) {
        tokenize(text_of(in.name, r), tokens);
        encode_text(tokens, vocab, cut,
                    std::span<int32_t>(ids.data).subspan(static_cast<size_t>(r * length),
                                                         static_cast<size_t>(length)),
                    std::span<int32_t>(pieces.data)
                        .subspan(static_cast<size_t>(r * length * slots),
                                 static_cast<size_t>(length * slots)));
      }
      executor.feed_ids(in.name, &ids);
      if (cut) executor.feed_ids(cut->pieces, &pieces);
    } else {
      std::vector<int64_t> dims{rows};
      for (int i = 0; i < in.shape.rank(); ++i) dims.push_back(in.shape[i]);
      executor.feed(in.name, &feed.reals.emplace_back(graph::Shape(dims)));
    }
  }
}

template <typename T>
void append_rows(const ops::Tensor<T>& t, Vectors& out) {
  out.dim = t.shape[1];
  out.rows += t.shape[0];
  for (T x : t.data) out.values.push_back(static_cast<double>(x));
}

}  // namespace

template <typename T>
Vectors embed_texts(const graph::Model& model, const ModelRoles& roles, const Vocabulary& vocab,
                    ParameterStore<T>& params, std::span<const std::string> texts,
                    int64_t batch_size) {
  Executor<T> executor(*model.graph, params, stacking_of(model.spec.train));
  Feed<T> feed;
  Vectors out;
  for (size_t begin = 0; begin < texts.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t n = std::min(texts.size() - begin, static_cast<size_t>(batch_size));
    feed_rows(
        model, vocab, executor, static_cast<int64_t>(n),
        [&](const std::string&, int64_t r) -> const std::string& {
          return texts[begin + static_cast<size_t>(r)];
        },
        feed);
    executor.forward(false, 0);
    append_rows(executor.value(roles.towers[0]), out);
  }
  return out;
}

template <typename T>
std::vector<double> pair_scores(const graph::Model& model, const ModelRoles& roles,
                                const Vocabulary& vocab, ParameterStore<T>& params,
                                std::span<const std::string> firsts,
                                std::span<const std::string> seconds, int64_t batch_size) {
  Executor<T> executor(*model.graph, params, stacking_of(model.spec.train));
  Feed<T> feed;
  std::vector<double> scores;
  const std::string& first = roles.text_inputs[0];
  for (size_t begin = 0; begin < firsts.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t n = std::min(firsts.size() - begin, static_cast<size_t>(batch_size));
    feed_rows(
        model, vocab, executor, static_cast<int64_t>(n),
        [&](const std::string& input, int64_t r) -> const std::string& {
          const size_t i = begin + static_cast<size_t>(r);
          return input == first ? firsts[i] : seconds[i];
        },
        feed);
    executor.forward(false, 0);
    for (T s : executor.value(roles.score).data)
      scores.push_back(roles.score_is_distance ? -static_cast<double>(s) : static_cast<double>(s));
  }
  return scores;
}

template <typename T>
std::vector<double> similarity_scores(const graph::Model& model, const ModelRoles& roles,
                                      const Vocabulary& vocab, ParameterStore<T>& params,
                                      const std::string& query, std::span<const std::string> texts,
                                      int64_t batch_size) {
  std::vector<double> scores;
  if (roles.family != ModelFamily::kPair) {
    const Vectors q = embed_texts(model, roles, vocab, params, std::span(&query, 1), batch_size);
    const Vectors v = embed_texts(model, roles, vocab, params, texts, batch_size);
    for (int64_t r = 0; r < v.rows; ++r)
      scores.push_back(-tower_distance(roles.distance, q.values.data(),
                                       &v.values[static_cast<size_t>(r * v.dim)], v.dim));
    return scores;
  }
  const std::vector<std::string> queries(texts.size(), query);
  return pair_scores(model, roles, vocab, params, queries, texts, batch_size);
}

std::vector<std::string> read_text_lines(const std::string& path) {
  LineReader reader(path);
  return read_numbered_texts(reader).texts;
}

NumberedTexts read_numbered_texts(LineReader& reader) {
  NumberedTexts out;
  std::string line;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    out.texts.push_back(line);
    out.lines.push_back(reader.line_number());
  }
  return out;
}

template Vectors embed_texts(const graph::Model&, const ModelRoles&, const Vocabulary&,
                             ParameterStore<float>&, std::span<const std::string>, int64_t);
template Vectors embed_texts(const graph::Model&, const ModelRoles&, const Vocabulary&,
                             ParameterStore<double>&, std::span<const std::string>, int64_t);
template std::vector<double> pair_scores(const graph::Model&, const ModelRoles&, const Vocabulary&,
                                         ParameterStore<float>&, std::span<const std::string>,
                                         std::span<const std::string>, int64_t);
template std::vector<double> pair_scores(const graph::Model&, const ModelRoles&, const Vocabulary&,
                                         ParameterStore<double>&, std::span<const std::string>,
                                         std::span<const std::string>, int64_t);
template std::vector<double> similarity_scores(const graph::Model&, const ModelRoles&,
                                               const Vocabulary&, ParameterStore<float>&,
                                               const std::string&, std::span<const std::string>,
                                               int64_t);
template std::vector<double> similarity_scores(const graph::Model&, const ModelRoles&,
                                               const Vocabulary&, ParameterStore<double>&,
                                               const std::string&, std::span<const std::string>,
                                               int64_t);

}  // namespace twinflow::runtime
