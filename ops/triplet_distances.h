// ops/triplet_distances.h — the distances the in-batch mining losses compare (see
// ops/mining_losses.h for the maths), and where each vector of a batch [B, 3D] lives.
#pragma once

#include <cmath>
#include <cstdint>

#include "graph/ir/attrs.h"
#include "ops/tensor.h"

namespace twinflow::ops {

using graph::TripletDistance;

constexpr double kEuclideanEps = 1e-6;
constexpr double kCosineEps = 1e-8;

// Where each vector of a batch [B, 3D] starts; gradient buffers share the layout.
struct TripletLayout {
  int64_t batch = 0;
  int64_t dim = 0;
  int64_t anchor(int64_t i) const { return i * 3 * dim; }
  // c_k: p_k for k < B, n_{k−B} after.
  int64_t candidate(int64_t k) const {
    return k < batch ? k * 3 * dim + dim : (k - batch) * 3 * dim + 2 * dim;
  }
};

template <typename T>
TripletLayout triplet_layout(const In<T>& pred) {
  return {pred.shape.leading_elements(), pred.shape.back() / 3};
}

// sqrt(|u|² + ε²): the cosine's norm, smooth at 0.
template <typename T>
T smooth_norm(const ConstVectorMap<T>& u) {
  return std::sqrt(u.squaredNorm() + static_cast<T>(kCosineEps * kCosineEps));
}

template <typename T>
T triplet_distance(TripletDistance kind, const T* u, const T* v, int64_t dim) {
  const ConstVectorMap<T> x(u, dim), z(v, dim);
  switch (kind) {
    case TripletDistance::kSquaredEuclidean:
      return (x - z).squaredNorm();
    case TripletDistance::kEuclidean:
      return std::sqrt((x - z).squaredNorm() + static_cast<T>(kEuclideanEps * kEuclideanEps));
    case TripletDistance::kCosine:
      return T(1) - x.dot(z) / (smooth_norm(x) * smooth_norm(z));
  }
  return T(0);
}

// Adds g·∂d/∂u into du and g·∂d/∂v into dv (u and v are distinct vectors of the batch).
template <typename T>
void add_triplet_distance_gradient(TripletDistance kind, const T* u, const T* v, int64_t dim, T g,
                                   T* du, T* dv) {
  const ConstVectorMap<T> x(u, dim), z(v, dim);
  VectorMap<T> dx(du, dim), dz(dv, dim);
  switch (kind) {
    case TripletDistance::kSquaredEuclidean:
      dx += (T(2) * g) * (x - z);
      dz -= (T(2) * g) * (x - z);
      return;
    case TripletDistance::kEuclidean: {
      const T s = g / triplet_distance(kind, u, v, dim);
      dx += s * (x - z);
      dz -= s * (x - z);
      return;
    }
    case TripletDistance::kCosine: {
      // d = 1 − cos, cos = u·v / (N_u N_v), ∂N_u/∂u = u / N_u
      const T nx = smooth_norm(x), nz = smooth_norm(z);
      const T cos = x.dot(z) / (nx * nz);
      dx -= g * (z / (nx * nz) - (cos / (nx * nx)) * x);
      dz -= g * (x / (nx * nz) - (cos / (nz * nz)) * z);
      return;
    }
  }
}

// d_ik = d(a_i, c_k) for every anchor i and candidate k: [B, 2B]; d_ap(i) = d_ii.
template <typename T>
RowMatrix<T> anchor_distances(TripletDistance kind, const In<T>& pred) {
  const TripletLayout l = triplet_layout(pred);
  RowMatrix<T> dist(l.batch, 2 * l.batch);
  for (int64_t i = 0; i < l.batch; ++i)
    for (int64_t k = 0; k < 2 * l.batch; ++k)
      dist(i, k) = triplet_distance(kind, pred.x + l.anchor(i), pred.x + l.candidate(k), l.dim);
  return dist;
}

}  // namespace twinflow::ops
