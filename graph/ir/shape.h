// graph/ir/shape.h — tensor shapes and value dtypes.
//
// A dimension may be kBatch (-1) while a graph is being built: the batch size is only known
// when data is bound. Shape rules treat kBatch as "any size"; at run time every dimension is
// concrete and the same rules are applied again.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace twinflow::graph {

inline constexpr int64_t kBatch = -1;

// kReal values hold the run's floating-point scalar (float32 for training, float64 for
// gradient checks); kInt32 values hold token ids and are never differentiated.
enum class DType { kReal, kInt32 };

std::string to_string(DType dtype);

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t operator[](int axis) const { return dims_[static_cast<size_t>(axis)]; }
  int64_t& operator[](int axis) { return dims_[static_cast<size_t>(axis)]; }
  int64_t back() const { return dims_.back(); }
  const std::vector<int64_t>& dims() const { return dims_; }

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

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  std::vector<int64_t> dims_;
};

// Two dimensions agree when equal or when either is still symbolic.
bool dims_compatible(int64_t a, int64_t b);
bool shapes_compatible(const Shape& a, const Shape& b);

}  // namespace twinflow::graph
