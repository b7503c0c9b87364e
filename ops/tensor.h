// ops/tensor.h — the views kernels read and write, and the Eigen maps over them.
//
// Every buffer is row-major (C order), the layout of numpy, PyTorch and safetensors files.
// A kernel never owns memory: the executor owns values and gradients and hands out views.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "graph/ir/shape.h"
#include "ops/row_random.h"

namespace twinflow::ops {

using graph::Shape;

template <typename T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using MatrixMap = Eigen::Map<RowMatrix<T>>;
template <typename T>
using ConstMatrixMap = Eigen::Map<const RowMatrix<T>>;
template <typename T>
using VectorMap = Eigen::Map<Vector<T>>;
template <typename T>
using ConstVectorMap = Eigen::Map<const Vector<T>>;

// Every buffer starts on a boundary of Eigen's widest packet. Eigen peels the unaligned head of
// a buffer off a vectorised loop or reduction, so a sum's rounding would otherwise depend on
// where the allocator put the buffer, and two runs of the same computation (an interrupted
// one resumed, and one that was not) could differ in the last bit. Otherwise it is a
// std::vector, and converts to and from one (the copies code that keeps plain vectors makes).
template <typename T>
class AlignedVector : public std::vector<T, Eigen::aligned_allocator<T>> {
  using Base = std::vector<T, Eigen::aligned_allocator<T>>;

 public:
  using Base::Base;
  AlignedVector() = default;
  AlignedVector(const std::vector<T>& v) : Base(v.begin(), v.end()) {}
  AlignedVector& operator=(const std::vector<T>& v) {
    this->assign(v.begin(), v.end());
    return *this;
  }
  AlignedVector& operator=(std::initializer_list<T> v) {
    this->assign(v);
    return *this;
  }
  operator std::vector<T>() const { return std::vector<T>(this->begin(), this->end()); }
  friend bool operator==(const AlignedVector& a, const std::vector<T>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
};

// An owning tensor: what the executor, the parameter store and tests hold.
template <typename T>
struct Tensor {
  Shape shape;
  AlignedVector<T> data;

  Tensor() = default;
  explicit Tensor(Shape s, T fill = T(0))
      : shape(std::move(s)), data(static_cast<size_t>(shape.num_elements()), fill) {}
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  // Reshapes, keeping capacity so that a buffer reused across batches allocates once.
  void resize(const Shape& s) {
    shape = s;
    data.resize(static_cast<size_t>(s.num_elements()));
  }
  void fill(T v) { std::fill(data.begin(), data.end(), v); }
};

using IdTensor = Tensor<int32_t>;

// One input of a kernel: real values in x, or token ids in ids (int32 values).
template <typename T>
struct In {
  const T* x = nullptr;
  const int32_t* ids = nullptr;
  Shape shape;
  int64_t size() const { return shape.num_elements(); }
};

// The output, or one gradient buffer the kernel adds into.
template <typename T>
struct Out {
  T* y = nullptr;
  Shape shape;
  int64_t size() const { return shape.num_elements(); }
};

template <typename T>
using Args = std::span<const In<T>>;

// The gradient buffers of a node's inputs; an input nobody differentiates has none.
template <typename T>
class GradArgs {
 public:
  explicit GradArgs(std::span<const Out<T>> d) : d_(d) {}
  bool wants(size_t i) const { return i < d_.size() && d_[i].y != nullptr; }
  const Out<T>& operator[](size_t i) const { return d_[i]; }
  size_t size() const { return d_.size(); }

 private:
  std::span<const Out<T>> d_;
};

// Buffers a node keeps from its forward to its backward (LSTM gates, dropout masks).
// Slots keep their capacity across runs, so a steady-state step allocates nothing.
template <typename T>
class Saved {
 public:
  T* real(size_t slot, size_t n) { return grow(reals_, slot, n); }
  int32_t* ints(size_t slot, size_t n) { return grow(ints_, slot, n); }
  T* real(size_t slot) { return reals_.at(slot).data(); }
  int32_t* ints(size_t slot) { return ints_.at(slot).data(); }

 private:
  template <typename U>
  static U* grow(std::vector<AlignedVector<U>>& pool, size_t slot, size_t n) {
    if (pool.size() <= slot) pool.resize(slot + 1);
    if (pool[slot].size() < n) pool[slot].resize(n);
    return pool[slot].data();
  }
  std::vector<AlignedVector<T>> reals_;
  std::vector<AlignedVector<int32_t>> ints_;
};

// What a kernel may use besides its inputs. Randomness comes from `random`
// (ops/row_random.h): the same seed and row keys give the same masks.
template <typename T>
struct Context {
  bool training = false;
  RowSeeds random;
  Saved<T>* saved = nullptr;
};

// [prod(leading dims), last dim] — Dense and friends treat every leading axis as batch rows.
template <typename T>
ConstMatrixMap<T> rows(const In<T>& t) {
  return ConstMatrixMap<T>(t.x, t.shape.leading_elements(), t.shape.rank() ? t.shape.back() : 1);
}
template <typename T>
MatrixMap<T> rows(const Out<T>& t) {
  return MatrixMap<T>(t.y, t.shape.leading_elements(), t.shape.rank() ? t.shape.back() : 1);
}
template <typename T>
ConstVectorMap<T> flat(const In<T>& t) {
  return ConstVectorMap<T>(t.x, t.size());
}
template <typename T>
VectorMap<T> flat(const Out<T>& t) {
  return VectorMap<T>(t.y, t.size());
}

}  // namespace twinflow::ops
