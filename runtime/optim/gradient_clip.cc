#include "runtime/optim/gradient_clip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinflow::runtime {

namespace {

// Σ g², summed in an order fixed by the indices alone: eight interleaved partial sums (element i
// into partial i mod 8, which g++ vectorises; the last n mod 8 elements into the total) combined
// in a fixed order. Eigen's squaredNorm starts its packets at the first aligned address, so its
// result would depend on where the buffer happens to lie, and a resumed run (new buffers) would
// clip by a norm that differs in the last bit. Only the elements that may be non-zero are read
// (the known rows of a table): a zero adds nothing to a sum of squares, so the result is the
// same bits as a pass over every element.
template <typename T>
double squared_norm(const Parameter<T>& p) {
  const T* g = p.grad.data.data();
  const int64_t body = p.grad.size() / 8 * 8;
  double partial[8] = {};
  double sum = 0.0;
  for_each_grad_range(p, [&](int64_t begin, int64_t n) {
    const auto add = [&](int64_t i) {
      const double x = static_cast<double>(g[i]);
      (i < body ? partial[i % 8] : sum) += x * x;
    };
    const int64_t end = begin + n, aligned_end = std::min(end, body) / 8 * 8;
    int64_t i = begin;
    for (; i < end && i % 8 != 0; ++i) add(i);
    for (; i + 8 <= aligned_end; i += 8)
      for (int j = 0; j < 8; ++j) {
        const double x = static_cast<double>(g[i + j]);
        partial[j] += x * x;
      }
    for (; i < end; ++i) add(i);
  });
  for (double s : partial) sum += s;
  return sum;
}

// c / max(norm, c): 1 for a gradient already inside the bound, 1 for a non-finite norm.
double shrink_factor(double norm, double c) {
  if (c <= 0.0 || !std::isfinite(norm) || norm <= c) return 1.0;
  return c / norm;
}

}  // namespace

void validate(const ClipOptions& clip) {
  auto check = [](const char* name, double v) {
    if (!(v >= 0.0) || !std::isfinite(v))
      throw std::invalid_argument(
          fmt::format("{} must be a finite number >= 0 (0 turns it off), got {}", name, v));
  };
  check("clipnorm", clip.clipnorm);
  check("global_clipnorm", clip.global_clipnorm);
  check("clipvalue", clip.clipvalue);
}

template <typename T>
void clipped_gradients(const ParameterStore<T>& params, const ClipOptions& clip,
                       std::vector<GradientView<T>>& views) {
  const std::vector<Parameter<T>>& all = params.all();
  views.assign(all.size(), GradientView<T>{});
  double global_sum = 0.0;
  for (size_t k = 0; k < all.size(); ++k) {
    const Parameter<T>& p = all[k];
    if (!p.trainable) continue;
    GradientView<T>& view = views[k];
    view.raw = p.grad.data.data();
    if (clip.clipnorm <= 0.0 && clip.global_clipnorm <= 0.0) continue;
    const double sq = squared_norm(p);
    const double own = shrink_factor(std::sqrt(sq), clip.clipnorm);
    view.scale = static_cast<T>(own);
    global_sum += sq * own * own;  // the global norm is taken after the per-tensor clip
  }
  if (clip.global_clipnorm > 0.0) {
    const double factor = shrink_factor(std::sqrt(global_sum), clip.global_clipnorm);
    for (GradientView<T>& view : views)
      view.scale = static_cast<T>(static_cast<double>(view.scale) * factor);
  }
  if (clip.clipvalue > 0.0) {
    for (GradientView<T>& view : views) {
      view.lo = static_cast<T>(-clip.clipvalue);
      view.hi = static_cast<T>(clip.clipvalue);
    }
  }
}

template void clipped_gradients(const ParameterStore<float>&, const ClipOptions&,
                                std::vector<GradientView<float>>&);
template void clipped_gradients(const ParameterStore<double>&, const ClipOptions&,
                                std::vector<GradientView<double>>&);

}  // namespace twinflow::runtime
