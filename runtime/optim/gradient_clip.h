// runtime/optim/gradient_clip.h — gradient clipping as Keras defines it, applied while reading.
//
//   clipnorm         g ← g · c / max(‖g‖, c)        each parameter's gradient by its own norm
//   global_clipnorm  g ← g · c / max(N, c)          N = sqrt(Σ over parameters of ‖g‖²)
//   clipvalue        g ← min(max(g, −c), c)         elementwise
// 0 turns an option off. Keras accepts only one of the three; here they compose in the order
// above, and since each only shrinks the gradient every bound that is set holds at the end.
// Clipping never writes the gradient buffers: an optimizer reads each element through a
// GradientView, which costs one extra read pass for a norm and nothing for a value clip.
// A non-finite norm leaves the gradients unscaled: c/∞ would turn an Inf into zeros and hide
// it from the trainer's NaN/Inf check.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "runtime/exec/parameter_store.h"

namespace twinflow::runtime {

struct ClipOptions {
  double clipnorm = 0.0;
  double global_clipnorm = 0.0;
  double clipvalue = 0.0;
};

// Throws std::invalid_argument naming a negative or non-finite option.
void validate(const ClipOptions& clip);

// One parameter's gradient as an optimizer sees it: min(max(scale · raw, lo), hi).
template <typename T>
struct GradientView {
  const T* raw = nullptr;
  T scale = T(1);
  T lo = -std::numeric_limits<T>::infinity();
  T hi = std::numeric_limits<T>::infinity();

  // std::max/min keep a NaN (both compare false), so a NaN gradient stays NaN.
  T operator[](int64_t i) const { return std::min(std::max(raw[i] * scale, lo), hi); }
  GradientView from(int64_t begin) const { return {raw + begin, scale, lo, hi}; }
};

// Fills views[k] for every parameter k of the store (frozen ones get a view on nothing).
// `views` keeps its capacity, so a steady-state step allocates nothing.
template <typename T>
void clipped_gradients(const ParameterStore<T>& params, const ClipOptions& clip,
                       std::vector<GradientView<T>>& views);

extern template void clipped_gradients(const ParameterStore<float>&, const ClipOptions&,
                                       std::vector<GradientView<float>>&);
extern template void clipped_gradients(const ParameterStore<double>&, const ClipOptions&,
                                       std::vector<GradientView<double>>&);

}  // namespace twinflow::runtime
