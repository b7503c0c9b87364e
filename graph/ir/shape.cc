#include "graph/ir/shape.h"

#include <fmt/format.h>

#include "graph/ir/errors.h"

namespace twinflow::graph {

std::string to_string(DType dtype) { return dtype == DType::kReal ? "real" : "int32"; }

Shape::Shape(std::span<const int64_t> dims) {
  if (dims.size() > static_cast<size_t>(kMaxRank))
    throw ShapeError(
        fmt::format("a tensor has at most {} dimensions, not {}", kMaxRank, dims.size()));
  std::copy(dims.begin(), dims.end(), dims_.begin());
  rank_ = static_cast<int>(dims.size());
}

Shape::Shape(std::initializer_list<int64_t> dims)
    : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}

void Shape::push_back(int64_t dim) {
  if (rank_ == kMaxRank)
    throw ShapeError(fmt::format("a tensor has at most {} dimensions", kMaxRank));
  dims_[static_cast<size_t>(rank_++)] = dim;
}

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : extents()) n *= d;
  return n;
}

int64_t Shape::leading_elements() const {
  int64_t n = 1;
  for (int i = 0; i + 1 < rank_; ++i) n *= (*this)[i];
  return n;
}

bool Shape::is_concrete() const {
  for (int64_t d : extents())
    if (d < 0) return false;
  return true;
}

int Shape::normalize_axis(int axis) const {
  const int r = rank();
  const int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r)
    throw ShapeError(
        fmt::format("axis {} is out of range for a tensor of rank {} {}", axis, r, to_string()));
  return a;
}

Shape Shape::with_last(int64_t dim) const {
  Shape s = *this;
  s[rank_ - 1] = dim;
  return s;
}

Shape Shape::dropped(int axis) const {
  Shape s = *this;
  std::copy(dims_.begin() + axis + 1, dims_.begin() + rank_, s.dims_.begin() + axis);
  s.dims_[static_cast<size_t>(--s.rank_)] = 0;
  return s;
}

std::string Shape::to_string() const {
  std::string out = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) out += ", ";
    out += (*this)[i] == kBatch ? std::string("B") : std::to_string((*this)[i]);
  }
  return out + "]";
}

bool dims_compatible(int64_t a, int64_t b) { return a == b || a == kBatch || b == kBatch; }

bool shapes_compatible(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (int i = 0; i < a.rank(); ++i)
    if (!dims_compatible(a[i], b[i])) return false;
  return true;
}

std::string SourceLoc::to_string() const {
  if (!known()) return file.empty() ? std::string("<graph>") : file;
  return fmt::format("{}:{}:{}", file.empty() ? "<spec>" : file, line, column);
}

}  // namespace twinflow::graph
