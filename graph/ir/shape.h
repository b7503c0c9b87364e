// graph/ir/shape.h — tensor shapes and value dtypes.
//
// A dimension may be kBatch (-1) while a graph is being built: the batch size is only known
// when data is bound. Shape rules treat kBatch as "any size"; at run time every dimension is
// concrete and the same rules are applied again.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace twinflow::graph {

inline constexpr int64_t kBatch = -1;

// kReal values hold the run's floating-point scalar (float32 for training, float64 for
// gradient checks); kInt32 values hold token ids and are never differentiated.
enum class DType { kReal, kInt32 };

std::string to_string(DType dtype);

// Dimensions are held inline (at most kMaxRank), so that a Shape is copied, compared and
// built without touching the heap: every kernel call carries the shapes of its operands, and a
// training step allocates nothing once its buffers are sized.
class Shape {
 public:
  static constexpr int kMaxRank = 8;

  Shape() = default;
  // Throw ShapeError for more than kMaxRank dimensions.
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::span<const int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims) : Shape(std::span<const int64_t>(dims)) {}

  int rank() const { return rank_; }
  int64_t operator[](int axis) const { return dims_[static_cast<size_t>(axis)]; }
  int64_t& operator[](int axis) { return dims_[static_cast<size_t>(axis)]; }
  int64_t back() const { return dims_[static_cast<size_t>(rank_ - 1)]; }
  std::span<const int64_t> extents() const { return {dims_.data(), static_cast<size_t>(rank_)}; }
  // A copy, for building another shape or handing the dimensions to another library.
  std::vector<int64_t> dims() const { return {dims_.begin(), dims_.begin() + rank_}; }
  // Throws ShapeError at kMaxRank.
  void push_back(int64_t dim);

  // Product of all dimensions; 1 for a scalar. Only meaningful when every dim is concrete.
  int64_t num_elements() const;
  // Product of all dimensions but the last ("rows" when the last axis is the feature axis).
  int64_t leading_elements() const;
  bool is_concrete() const;

  // Resolves a possibly negative axis (-1 = last) against this rank; throws ShapeError when
  // it is out of range.
  int normalize_axis(int axis) const;

  Shape with_last(int64_t dim) const;
  Shape dropped(int axis) const;

  // "[B, 30, 100]" — kBatch prints as B.
  std::string to_string() const;

  friend bool operator==(const Shape& a, const Shape& b) {
    return std::equal(a.extents().begin(), a.extents().end(), b.extents().begin(),
                      b.extents().end());
  }

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

// Two dimensions agree when equal or when either is still symbolic.
bool dims_compatible(int64_t a, int64_t b);
bool shapes_compatible(const Shape& a, const Shape& b);

}  // namespace twinflow::graph
