// ops/activation.h — the activations Dense fuses, applied in place to rows [N, units].
//
//   linear  y = z                 dz = dy
//   relu    y = max(z, 0)         dz = dy · [y > 0]
//   sigmoid y = 1 / (1 + e^-z)    dz = dy · y · (1 − y)
//   tanh    y = tanh z            dz = dy · (1 − y²)
//   softmax y_j = e^z_j / Σ e^z   dz = y ⊙ (dy − Σ_j dy_j y_j)   (per row, max subtracted)
//
// Every derivative is written in terms of y, so backward needs no saved pre-activation.
#pragma once

#include <cstdint>

#include "graph/ir/attrs.h"
#include "ops/tensor.h"

namespace twinflow::ops {

template <typename T>
void activate(graph::Activation a, MatrixMap<T> z);

// dz = dy ⊙ f'(z), written into dz (which may alias dy).
template <typename T>
void activation_vjp(graph::Activation a, ConstMatrixMap<T> y, ConstMatrixMap<T> dy,
                    MatrixMap<T> dz);

template <typename T>
T sigmoid(T z);

// Signature of relu's branch per element (the only kinked activation).
template <typename T>
uint64_t activation_kink_signature(graph::Activation a, ConstMatrixMap<T> y);

}  // namespace twinflow::ops
