#include "ops/binary.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "graph/ir/errors.h"

namespace twinflow::ops {

using graph::kBatch;
using graph::Shape;
using graph::ShapeError;

namespace {

// The strided path keeps its index arithmetic in fixed arrays (no allocation per call).
constexpr int kMaxRank = Shape::kMaxRank;

template <typename T>
using Column = Eigen::Array<T, Eigen::Dynamic, 1>;
template <typename T>
using ArrayMap = Eigen::Map<Column<T>>;
template <typename T>
using ConstArrayMap = Eigen::Map<const Column<T>>;

// One functor per function: value(a, b), and grad_a / grad_b (a, b, dy) = dy · ∂y/∂a, ∂y/∂b,
// over Eigen arrays of one run (either side may be a constant array when broadcast).
struct AddFn {
  static auto value(const auto& a, const auto& b) { return a + b; }
  static auto grad_a(const auto&, const auto&, const auto& dy) { return dy; }
  static auto grad_b(const auto&, const auto&, const auto& dy) { return dy; }
};
struct SubFn {
  static auto value(const auto& a, const auto& b) { return a - b; }
  static auto grad_a(const auto&, const auto&, const auto& dy) { return dy; }
  static auto grad_b(const auto&, const auto&, const auto& dy) { return -dy; }
};
struct MulFn {
  static auto value(const auto& a, const auto& b) { return a * b; }
  static auto grad_a(const auto&, const auto& b, const auto& dy) { return dy * b; }
  static auto grad_b(const auto& a, const auto&, const auto& dy) { return dy * a; }
};
struct DivFn {
  static auto value(const auto& a, const auto& b) { return a / b; }
  static auto grad_a(const auto&, const auto& b, const auto& dy) { return dy / b; }
  static auto grad_b(const auto& a, const auto& b, const auto& dy) {
    return -(dy * a) / b.square();
  }
};
// Maximum (kMax) or Minimum; picks_a says where a wins, ties included.
template <bool kMax>
struct SelectFn {
  static auto picks_a(const auto& a, const auto& b) {
    if constexpr (kMax)
      return a >= b;
    else
      return a <= b;
  }
  static auto value(const auto& a, const auto& b) {
    if constexpr (kMax)
      return a.max(b);
    else
      return a.min(b);
  }
  static auto grad_a(const auto& a, const auto& b, const auto& dy) {
    using T = typename std::decay_t<decltype(dy)>::Scalar;
    return picks_a(a, b).select(dy, T(0));
  }
  static auto grad_b(const auto& a, const auto& b, const auto& dy) {
    using T = typename std::decay_t<decltype(dy)>::Scalar;
    return picks_a(a, b).select(T(0), dy);
  }
};

template <class F>
void with_functor(BinaryFn fn, F&& f) {
  switch (fn) {
    case BinaryFn::kAdd:
      return f(AddFn{});
    case BinaryFn::kSub:
      return f(SubFn{});
    case BinaryFn::kMul:
      return f(MulFn{});
    case BinaryFn::kDiv:
      return f(DivFn{});
    case BinaryFn::kMaximum:
      return f(SelectFn<true>{});
    case BinaryFn::kMinimum:
      return f(SelectFn<false>{});
  }
}

// y's axes after dropping those of size 1 and merging neighbours that both inputs traverse
// alike; sa/sb are each input's element strides along them (0 where it is broadcast).
struct Layout {
  int rank = 0;
  std::array<int64_t, kMaxRank> dim{};
  std::array<int64_t, kMaxRank> sa{};
  std::array<int64_t, kMaxRank> sb{};
};

// Row-major strides of s laid out along y's axes (trailing-aligned), 0 where s broadcasts.
std::array<int64_t, kMaxRank> aligned_strides(const Shape& s, const Shape& y) {
  std::array<int64_t, kMaxRank> out{};
  const int shift = y.rank() - s.rank();
  int64_t stride = 1;
  for (int j = s.rank() - 1; j >= 0; --j) {
    out[static_cast<size_t>(j + shift)] = s[j] == 1 ? 0 : stride;
    stride *= s[j];
  }
  return out;
}

Layout broadcast_layout(const Shape& a, const Shape& b, const Shape& y) {
  const auto sa = aligned_strides(a, y);
  const auto sb = aligned_strides(b, y);
  Layout l;
  for (int i = 0; i < y.rank(); ++i) {
    const size_t k = static_cast<size_t>(i);
    if (y[i] == 1) continue;
    const size_t last = static_cast<size_t>(l.rank - 1);
    if (l.rank > 0 && l.sa[last] == sa[k] * y[i] && l.sb[last] == sb[k] * y[i]) {
      l.dim[last] *= y[i];
      l.sa[last] = sa[k];
      l.sb[last] = sb[k];
      continue;
    }
    const size_t next = static_cast<size_t>(l.rank++);
    l.dim[next] = y[i];
    l.sa[next] = sa[k];
    l.sb[next] = sb[k];
  }
  if (l.rank == 0) {  // every axis has size 1: a single element
    l.rank = 1;
    l.dim[0] = 1;
  }
  return l;
}

// Walks y in contiguous runs: run(y_offset, a_offset, a_full, b_offset, b_full, n), where
// *_full says whether that input advances along the run (otherwise it repeats one element).
template <class F>
void for_each_run(const Shape& a, const Shape& b, const Shape& y, F&& run) {
  const int64_t n = y.num_elements();
  if (n == 0) return;
  if (a == b) return run(0, 0, true, 0, true, n);
  if (a.num_elements() == 1 && b == y) return run(0, 0, false, 0, true, n);
  if (b.num_elements() == 1 && a == y) return run(0, 0, true, 0, false, n);
  const Layout l = broadcast_layout(a, b, y);
  const size_t last = static_cast<size_t>(l.rank - 1);
  const int64_t len = l.dim[last];
  std::array<int64_t, kMaxRank> index{};
  int64_t ia = 0;
  int64_t ib = 0;
  for (int64_t o = 0; o < n; o += len) {
    run(o, ia, l.sa[last] != 0, ib, l.sb[last] != 0, len);
    for (size_t k = last; k-- > 0;) {  // odometer over the outer axes
      ia += l.sa[k];
      ib += l.sb[k];
      if (++index[k] < l.dim[k]) break;
      ia -= l.sa[k] * l.dim[k];
      ib -= l.sb[k] * l.dim[k];
      index[k] = 0;
    }
  }
}

// Calls f(av, bv) with one run of n elements of each input as an Eigen array: a contiguous
// map, or a constant array when that input repeats one element.
template <typename T, class F>
void with_operands(const T* a, bool a_full, const T* b, bool b_full, int64_t n, F&& f) {
  if (a_full && b_full) return f(ConstArrayMap<T>(a, n), ConstArrayMap<T>(b, n));
  if (a_full) return f(ConstArrayMap<T>(a, n), Column<T>::Constant(n, *b));
  if (b_full) return f(Column<T>::Constant(n, *a), ConstArrayMap<T>(b, n));
  f(Column<T>::Constant(n, *a), Column<T>::Constant(n, *b));
}

// Adds one run's gradient into an input: elementwise, or summed when the input repeated one
// element along the run.
template <typename T, class E>
void add_run(T* d, bool full, const E& g) {
  if (full)
    ArrayMap<T>(d, g.size()) += g;
  else
    *d += g.sum();
}

template <class Fn, typename T>
void forward_with(const In<T>& a, const In<T>& b, const Out<T>& y) {
  for_each_run(a.shape, b.shape, y.shape,
               [&](int64_t o, int64_t ia, bool af, int64_t ib, bool bf, int64_t n) {
                 with_operands(a.x + ia, af, b.x + ib, bf, n, [&](const auto& av, const auto& bv) {
                   ArrayMap<T>(y.y + o, n) = Fn::value(av, bv);
                 });
               });
}

template <class Fn, typename T>
void backward_with(const In<T>& a, const In<T>& b, const In<T>& dy, const Out<T>& da,
                   const Out<T>& db) {
  for_each_run(a.shape, b.shape, dy.shape,
               [&](int64_t o, int64_t ia, bool af, int64_t ib, bool bf, int64_t n) {
                 with_operands(a.x + ia, af, b.x + ib, bf, n, [&](const auto& av, const auto& bv) {
                   const ConstArrayMap<T> g(dy.x + o, n);
                   if (da.y) add_run(da.y + ia, af, Fn::grad_a(av, bv, g));
                   if (db.y) add_run(db.y + ib, bf, Fn::grad_b(av, bv, g));
                 });
               });
}

template <class Fn, typename T>
uint64_t picks_signature(const In<T>& a, const In<T>& b, const In<T>& y) {
  uint64_t h = kSignatureSeed;
  for_each_run(a.shape, b.shape, y.shape,
               [&](int64_t, int64_t ia, bool af, int64_t ib, bool bf, int64_t n) {
                 with_operands(a.x + ia, af, b.x + ib, bf, n, [&](const auto& av, const auto& bv) {
                   const auto picks = Fn::picks_a(av, bv);
                   for (Eigen::Index i = 0; i < picks.size(); ++i) h = mix_signature(h, picks(i));
                 });
               });
  return h;
}

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const int ia = i - (rank - a.rank());
    const int ib = i - (rank - b.rank());
    const int64_t da = ia >= 0 ? a[ia] : 1;
    const int64_t db = ib >= 0 ? b[ib] : 1;
    int64_t d = -2;
    if (da == db || db == 1)
      d = da;
    else if (da == 1)
      d = db;
    else if (da == kBatch)
      d = db;
    else if (db == kBatch)
      d = da;
    if (d == -2)
      throw ShapeError(fmt::format(
          "cannot broadcast input 0 (a) {} with input 1 (b) {}: axis {} "
          "of the result would need {} and {} to agree",
          a.to_string(), b.to_string(), i, Shape{da}.to_string(), Shape{db}.to_string()));
    dims[static_cast<size_t>(i)] = d;
  }
  return Shape(std::move(dims));
}

Shape binary_infer_shape(std::span<const graph::ValueInfo> in) {
  if (in.size() != 2) throw ShapeError(fmt::format("expects two inputs a, b, got {}", in.size()));
  for (size_t i = 0; i < 2; ++i)
    if (in[i].dtype != graph::DType::kReal)
      throw ShapeError(fmt::format("input {} ({}) must be real, not ids", i, i ? "b" : "a"));
  return broadcast_shapes(in[0].shape, in[1].shape);
}

template <typename T>
void binary_forward(BinaryFn f, const In<T>& a, const In<T>& b, const Out<T>& y) {
  with_functor(f, [&]<class Fn>(Fn) { forward_with<Fn, T>(a, b, y); });
}

template <typename T>
void binary_backward(BinaryFn f, const In<T>& a, const In<T>& b, const In<T>& dy, const Out<T>& da,
                     const Out<T>& db) {
  with_functor(f, [&]<class Fn>(Fn) { backward_with<Fn, T>(a, b, dy, da, db); });
}

template <typename T>
uint64_t binary_kink_signature(BinaryFn f, const In<T>& a, const In<T>& b, const In<T>& y) {
  if (f == BinaryFn::kMaximum) return picks_signature<SelectFn<true>, T>(a, b, y);
  if (f == BinaryFn::kMinimum) return picks_signature<SelectFn<false>, T>(a, b, y);
  return kSignatureSeed;
}

template void binary_forward(BinaryFn, const In<float>&, const In<float>&, const Out<float>&);
template void binary_forward(BinaryFn, const In<double>&, const In<double>&, const Out<double>&);
template void binary_backward(BinaryFn, const In<float>&, const In<float>&, const In<float>&,
                              const Out<float>&, const Out<float>&);
template void binary_backward(BinaryFn, const In<double>&, const In<double>&, const In<double>&,
                              const Out<double>&, const Out<double>&);
template uint64_t binary_kink_signature(BinaryFn, const In<float>&, const In<float>&,
                                        const In<float>&);
template uint64_t binary_kink_signature(BinaryFn, const In<double>&, const In<double>&,
                                        const In<double>&);

}  // namespace twinflow::ops
