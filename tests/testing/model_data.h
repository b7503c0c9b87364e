// tests/testing/model_data.h — random batches and gradient helpers for whole-model tests.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "runtime/exec/executor.h"
#include "runtime/exec/reference_models.h"

namespace twinflow::testing {

// The cosine Siamese network at a size gradient tests run in milliseconds: an Embedding of
// `vocab` rows of 4, texts of 5 tokens, LSTM(3), no dropout.
runtime::SiameseConfig tiny_siamese(int64_t vocab);

// Token ids [batch, seq_len] with post-padding: sample i has a length in [1, seq_len]
// (the first sample always uses the full length).
ops::IdTensor random_ids(int64_t batch, int64_t seq_len, int32_t vocab, uint64_t seed);

// Rows [begin, end) of a batch tensor (the leading axis).
template <typename T>
ops::Tensor<T> batch_rows(const ops::Tensor<T>& t, int64_t begin, int64_t end);

// Every trainable parameter's gradient, by name, after zero_grad + one forward/backward.
std::map<std::string, std::vector<double>> parameter_gradients(
    const graph::Graph& g, runtime::ParameterStore<double>& params,
    const std::map<std::string, ops::IdTensor>& ids,
    const std::map<std::string, ops::Tensor<double>>& reals, graph::ValueId loss);

// Finite-difference check of a scalar output wrt every trainable parameter.
autograd::GradCheckReport check_model_gradients(
    const graph::Graph& g, runtime::ParameterStore<double>& params,
    const std::map<std::string, ops::IdTensor>& ids,
    const std::map<std::string, ops::Tensor<double>>& reals, graph::ValueId output,
    int64_t max_probes_per_tensor = 0, bool training = false);

double max_abs_diff(std::span<const double> a, std::span<const double> b);
double max_abs(std::span<const double> a);

}  // namespace twinflow::testing
