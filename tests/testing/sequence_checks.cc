#include "tests/testing/sequence_checks.h"

#include <doctest/doctest.h>

namespace twinflow::testing {

namespace {

// Row (b, t) of a [B, T, n] tensor; [B, n] tensors have one step (t = 0).
size_t at(int64_t b, int64_t t, int64_t steps, int64_t n) {
  return static_cast<size_t>((b * steps + t) * n);
}

}  // namespace

void check_padding_invariance(const std::function<OpCase(int64_t steps)>& make_case, int64_t batch,
                              int64_t short_t, int64_t long_t, int64_t e, int64_t width,
                              bool return_sequences) {
  OpCase s = make_case(short_t);
  OpCase l = make_case(long_t);
  l.inputs[0].values = random_normal(batch * long_t * e, 11, 5.0);
  s.inputs[0].values.clear();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < short_t * e; ++i)
      s.inputs[0].values.push_back(
          l.inputs[0].values[at(b, 0, long_t, e) + static_cast<size_t>(i)]);
  for (size_t i = 2; i < s.inputs.size(); ++i) {
    s.inputs[i].values = random_normal(s.inputs[i].shape.num_elements(), i, 0.5);
    l.inputs[i].values = s.inputs[i].values;
  }
  const int64_t y_long = return_sequences ? long_t : 1;
  const int64_t y_short = return_sequences ? short_t : 1;
  const auto dy_long = random_normal(batch * y_long * width, 5);
  std::vector<double> dy_short;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < y_short; ++t)
      for (int64_t j = 0; j < width; ++j)
        dy_short.push_back(dy_long[at(b, t, y_long, width) + static_cast<size_t>(j)]);
  const auto r_short = run_case<double>(s, dy_short);
  const auto r_long = run_case<double>(l, dy_long);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < y_long; ++t)
      for (int64_t j = 0; j < width; ++j)
        CHECK(r_long.y[at(b, t, y_long, width) + static_cast<size_t>(j)] ==
              (t < short_t ? r_short.y[at(b, t, y_short, width) + static_cast<size_t>(j)] : 0.0));
    for (int64_t t = 0; t < long_t; ++t)
      for (int64_t i = 0; i < e; ++i)
        CHECK(
            r_long.grads[0][at(b, t, long_t, e) + static_cast<size_t>(i)] ==
            (t < short_t ? r_short.grads[0][at(b, t, short_t, e) + static_cast<size_t>(i)] : 0.0));
  }
  for (size_t i = 2; i < s.inputs.size(); ++i) CHECK(r_long.grads[i] == r_short.grads[i]);
}

}  // namespace twinflow::testing
