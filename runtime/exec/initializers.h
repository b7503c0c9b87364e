// runtime/exec/initializers.h — how parameters start (Keras's defaults).
//
//   glorot_uniform  U(−l, l), l = sqrt(6 / (fan_in + fan_out))   Dense and LSTM kernels
//   orthogonal      Q of the QR decomposition of a normal matrix   LSTM recurrent kernels
//   lstm_bias       0, with 1 on the forget gate (unit_forget_bias) [4H], gates i, f, c, o
//   random_uniform  U(a, b); U(−0.05, 0.05) for Embedding tables
//   random_normal   N(a, b²)
//   zeros, ones, constant a
#pragma once

#include <random>

#include "graph/ir/op_schema.h"
#include "ops/tensor.h"

namespace twinflow::runtime {

template <typename T>
void initialize(const graph::Initializer& init, ops::Tensor<T>& t, std::mt19937_64& rng);

}  // namespace twinflow::runtime
