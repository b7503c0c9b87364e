// bench/gemm_mix.h — the GEMMs of one LSTM direction at its shapes, alone, in float32: the
// practical limit the LSTM's own GEMM rate is measured against.
//
// One direction over x [B, T, E] with units H, N = B·T rows, G = 4H gate columns:
//   forward   z [N, G] = x [N, E] · W [E, G]                        (input projection)
//             T times: z_t [B, G] += h [B, H] · U [H, G]            (recurrence)
//   backward  T times: dh [B, H] = dz_t [B, G] · Uᵀ                 (recurrence)
//             dW [E, G] = xᵀ · dz   dU [H, G] = hᵀ · dz   dx [N, E] = dz · Wᵀ
// Forward flops 2·N·E·G + 2·N·H·G; backward twice that. The LSTM kernel (ops/lstm_kernel.cc)
// runs the same products, plus its gate arithmetic and gathers, which this leaves out; here the
// per-step blocks are contiguous (time-major) rather than strided, so the rate is an upper bound.
#pragma once

#include <cstdint>

#include "ops/tensor.h"

namespace twinflow::bench {

struct LstmShapes {
  int64_t batch = 0, steps = 0, in = 0, units = 0;
};

// GEMM flops of one direction's forward pass over `tokens` (sample, step) pairs.
double lstm_forward_flops(const LstmShapes& s, int64_t tokens);

class GemmMix {
 public:
  explicit GemmMix(const LstmShapes& s);
  void forward();
  void backward();

 private:
  LstmShapes s_;
  ops::RowMatrix<float> x_, w_, u_, z_, h_, dz_, dh_, dw_, du_, dx_;
};

}  // namespace twinflow::bench
