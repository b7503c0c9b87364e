#include "ops/embedding.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::ShapeError;

namespace {

// "[1, 4]": the multi-index of flat position p in a row-major tensor of shape s.
std::string position_of(int64_t p, const graph::Shape& s) {
  std::string out;
  for (int axis = s.rank(); axis-- > 0;) {
    out.insert(0, (axis ? ", " : "") + std::to_string(p % s[axis]));
    p /= s[axis];
  }
  return "[" + out + "]";
}

void check_ids(const graph::EmbeddingAttrs& a, const int32_t* ids, const graph::Shape& s) {
  const int64_t n = s.num_elements();
  for (int64_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || id >= a.vocab)
      throw graph::RuntimeInputError(
          fmt::format("token id {} at position {} of the ids {} is outside the "
                      "vocabulary [0, {})",
                      id, position_of(p, s), s.to_string(), a.vocab));
  }
}

// Subword rows follow the vocabulary's; −1 is an empty slot.
void check_pieces(const graph::EmbeddingAttrs& a, const int32_t* rows, const graph::Shape& s) {
  const int64_t n = s.num_elements();
  const int64_t end = a.vocab + a.subwords->buckets;
  for (int64_t p = 0; p < n; ++p) {
    const int32_t row = rows[p];
    if (row != -1 && (row < a.vocab || row >= end))
      throw graph::RuntimeInputError(
          fmt::format("subword row {} at position {} of the pieces {} is outside the "
                      "buckets [{}, {}) (or -1 for none)",
                      row, position_of(p, s), s.to_string(), a.vocab, end));
  }
}

int64_t table_rows(const graph::EmbeddingAttrs& a) {
  return a.vocab + (a.subwords ? a.subwords->buckets : 0);
}

}  // namespace

graph::Shape Embedding::infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
  const size_t inputs = a.subwords ? 3 : 2;
  if (in.size() != inputs)
    throw ShapeError(a.subwords
                         ? fmt::format("expects ids, subword pieces, embeddings (3 inputs), "
                                       "got {}",
                                       in.size())
                         : fmt::format("expects ids, embeddings (2 inputs), got {}", in.size()));
  if (in[0].dtype != graph::DType::kInt32)
    throw ShapeError("input 0 (ids) must be int32 token ids, not real values");
  if (a.subwords) {
    graph::Shape pieces = in[0].shape;
    pieces.push_back(graph::subword_slots(*a.subwords));
    if (in[1].dtype != graph::DType::kInt32 || !(in[1].shape == pieces))
      throw ShapeError(fmt::format("input 1 (subword pieces) must be int32 {}, got {}",
                                   pieces.to_string(), in[1].shape.to_string()));
  }
  const graph::ValueInfo& w = in.back();
  const std::string which = fmt::format("input {} (embeddings)", in.size() - 1);
  if (w.dtype != graph::DType::kReal) throw ShapeError(which + " must be real");
  const graph::Shape table{table_rows(a), a.dim};
  if (!(w.shape == table))
    throw ShapeError(fmt::format("{} must be {} ({}), got {}", which, table.to_string(),
                                 a.subwords ? "vocab + buckets, dim" : "vocab, dim",
                                 w.shape.to_string()));
  graph::Shape y = in[0].shape;
  y.push_back(a.dim);
  return y;
}

std::vector<graph::ParamSpec> Embedding::param_specs(const Attrs& a,
                                                     std::span<const graph::ValueInfo> in) {
  const size_t inputs = a.subwords ? 2 : 1;
  if (in.size() != inputs || std::any_of(in.begin(), in.end(), [](const graph::ValueInfo& v) {
        return v.dtype != graph::DType::kInt32;
      }))
    throw ShapeError(a.subwords ? "Embedding with subwords takes int32 token ids and their int32 "
                                  "subword pieces"
                                : "Embedding takes one input of int32 token ids");
  if (a.vocab <= 0 || a.dim <= 0)
    throw ShapeError(
        fmt::format("Embedding needs vocab > 0 and dim > 0, got vocab={}, dim={}", a.vocab, a.dim));
  if (a.subwords) {
    const graph::SubwordAttrs& s = *a.subwords;
    if (s.min_n < 1 || s.min_n > s.max_n || s.max_n > graph::kSubwordChars + 2)
      throw ShapeError(
          fmt::format("subwords: need 1 <= min_n <= max_n <= {}, got min_n={}, "
                      "max_n={}",
                      graph::kSubwordChars + 2, s.min_n, s.max_n));
    if (s.buckets < 1 || a.vocab + s.buckets > std::numeric_limits<int32_t>::max())
      throw ShapeError(fmt::format("subwords: buckets must be in [1, {}] for vocab={}, got {}",
                                   std::numeric_limits<int32_t>::max() - a.vocab, a.vocab,
                                   s.buckets));
  }
  return {{"embeddings", graph::Shape{table_rows(a), a.dim}, graph::kSmallUniform}};
}

std::string Embedding::describe(const Attrs& a) {
  std::string subwords;
  if (a.subwords)
    subwords = fmt::format(", subwords {}..{} in {} buckets", a.subwords->min_n, a.subwords->max_n,
                           a.subwords->buckets);
  return fmt::format("vocab={}, dim={}{}{}", a.vocab, a.dim, a.mask_zero ? ", mask_zero" : "",
                     subwords);
}

template <typename T>
void Embedding::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const int32_t* ids = in[0].ids;
  const int64_t n = in[0].size();
  check_ids(a, ids, in[0].shape);
  const int32_t* pieces = a.subwords ? in[1].ids : nullptr;
  const int64_t slots = a.subwords ? graph::subword_slots(*a.subwords) : 0;
  if (pieces) check_pieces(a, pieces, in[1].shape);
  const T* table = in.back().x;
  const int64_t e = a.dim;
  for (int64_t p = 0; p < n; ++p) {
    T* dst = y.y + p * e;
    if (a.mask_zero && ids[p] == 0) {
      std::fill(dst, dst + e, T(0));
      continue;
    }
    const T* src = table + static_cast<int64_t>(ids[p]) * e;
    std::copy(src, src + e, dst);
    for (int64_t k = 0; k < slots; ++k) {
      const int32_t row = pieces[p * slots + k];
      if (row >= 0) VectorMap<T>(dst, e) += ConstVectorMap<T>(table + int64_t{row} * e, e);
    }
  }
}

template <typename T>
void Embedding::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
  const int table = a.subwords ? 2 : 1;
  if (!d.wants(table)) return;  // frozen table: never touch a [V, E] buffer
  const int32_t* ids = in[0].ids;
  const int64_t n = in[0].size();
  check_ids(a, ids, in[0].shape);
  const int32_t* pieces = a.subwords ? in[1].ids : nullptr;
  const int64_t slots = a.subwords ? graph::subword_slots(*a.subwords) : 0;
  if (pieces) check_pieces(a, pieces, in[1].shape);
  const int64_t e = a.dim;
  T* dw = d[table].y;
  for (int64_t p = 0; p < n; ++p) {
    if (a.mask_zero && ids[p] == 0) continue;
    const ConstVectorMap<T> g(dy.x + p * e, e);
    VectorMap<T>(dw + static_cast<int64_t>(ids[p]) * e, e) += g;
    for (int64_t k = 0; k < slots; ++k) {
      const int32_t row = pieces[p * slots + k];
      if (row >= 0) VectorMap<T>(dw + int64_t{row} * e, e) += g;
    }
  }
}

template void Embedding::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Embedding::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Embedding::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                                  GradArgs<float>);
template void Embedding::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                  In<double>, GradArgs<double>);

}  // namespace twinflow::ops
