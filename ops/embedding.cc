#include "ops/embedding.h"

#include <fmt/format.h>

#include <algorithm>
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

}  // namespace

graph::Shape Embedding::infer_shape(const Attrs& a, std::span<const graph::ValueInfo> in) {
  if (in.size() != 2)
    throw ShapeError(fmt::format("expects ids, embeddings (2 inputs), got {}", in.size()));
  if (in[0].dtype != graph::DType::kInt32)
    throw ShapeError("input 0 (ids) must be int32 token ids, not real values");
  if (in[1].dtype != graph::DType::kReal) throw ShapeError("input 1 (embeddings) must be real");
  const graph::Shape table{a.vocab, a.dim};
  if (!(in[1].shape == table))
    throw ShapeError(fmt::format("input 1 (embeddings) must be {} (vocab, dim), got {}",
                                 table.to_string(), in[1].shape.to_string()));
  std::vector<int64_t> dims = in[0].shape.dims();
  dims.push_back(a.dim);
  return graph::Shape(std::move(dims));
}

std::vector<graph::ParamSpec> Embedding::param_specs(const Attrs& a,
                                                     std::span<const graph::ValueInfo> in) {
  if (in.size() != 1 || in[0].dtype != graph::DType::kInt32)
    throw ShapeError("Embedding takes one input of int32 token ids");
  if (a.vocab <= 0 || a.dim <= 0)
    throw ShapeError(
        fmt::format("Embedding needs vocab > 0 and dim > 0, got vocab={}, dim={}", a.vocab, a.dim));
  return {{"embeddings", graph::Shape{a.vocab, a.dim}, graph::kSmallUniform}};
}

std::string Embedding::describe(const Attrs& a) {
  return fmt::format("vocab={}, dim={}{}", a.vocab, a.dim, a.mask_zero ? ", mask_zero" : "");
}

template <typename T>
void Embedding::forward(const Attrs& a, Context<T>&, Args<T> in, Out<T> y) {
  const int32_t* ids = in[0].ids;
  const int64_t n = in[0].size();
  check_ids(a, ids, in[0].shape);
  const int64_t e = a.dim;
  for (int64_t p = 0; p < n; ++p) {
    T* dst = y.y + p * e;
    if (a.mask_zero && ids[p] == 0) {
      std::fill(dst, dst + e, T(0));
    } else {
      const T* src = in[1].x + static_cast<int64_t>(ids[p]) * e;
      std::copy(src, src + e, dst);
    }
  }
}

template <typename T>
void Embedding::backward(const Attrs& a, Context<T>&, Args<T> in, In<T>, In<T> dy, GradArgs<T> d) {
  if (!d.wants(1)) return;  // frozen table: never touch a [V, E] buffer
  const int32_t* ids = in[0].ids;
  const int64_t n = in[0].size();
  check_ids(a, ids, in[0].shape);
  const int64_t e = a.dim;
  for (int64_t p = 0; p < n; ++p) {
    if (a.mask_zero && ids[p] == 0) continue;
    VectorMap<T>(d[1].y + static_cast<int64_t>(ids[p]) * e, e) +=
        ConstVectorMap<T>(dy.x + p * e, e);
  }
}

template void Embedding::forward(const Attrs&, Context<float>&, Args<float>, Out<float>);
template void Embedding::forward(const Attrs&, Context<double>&, Args<double>, Out<double>);
template void Embedding::backward(const Attrs&, Context<float>&, Args<float>, In<float>, In<float>,
                                  GradArgs<float>);
template void Embedding::backward(const Attrs&, Context<double>&, Args<double>, In<double>,
                                  In<double>, GradArgs<double>);

}  // namespace twinflow::ops
