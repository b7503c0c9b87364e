// ops/lstm_kernel.h — one direction of an LSTM over a batch of sequences: the kernel the LSTM
// and Bidirectional ops share (math, masking, dropout and output conventions in ops/lstm.h).
//
// Layout: batch-major buffers, row b·T + t holding sample b at step t, kept in a node's saved
// slots. Forward: one GEMM projects every real row, x·W + b → z [B·T, 4H]; each step adds
// h_{t-1}·U for its real rows and runs the gates in one pass per sample. Backward: stepping
// back in time fills dz [B·T, 4H]; then dW = Xᵀ·dZ, dU = H_prevᵀ·dZ, dx = dZ·Wᵀ are one GEMM
// each and db one sum. With a mask, padded rows are skipped everywhere (real rows gathered
// into compact buffers in (sample, step) order), so padding costs no arithmetic and cannot
// change a result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "graph/ir/attrs.h"
#include "ops/op_def.h"

namespace twinflow::ops {

// A saved slot of n elements starting on a 64-byte boundary. Eigen's vectorised loops split
// a row into a scalar head, packets and a scalar tail by its address, and the two paths round
// differently (FMA contraction, vectorised exp/tanh); aligned buffers make every result a
// function of the inputs alone, whatever malloc returned and whichever thread ran.
template <typename T>
T* aligned_slot(Saved<T>& saved, size_t slot, size_t n) {
  constexpr size_t kAlign = 64;
  T* p = saved.real(slot, n + kAlign / sizeof(T));
  const size_t misalign = reinterpret_cast<std::uintptr_t>(p) % kAlign;
  return p + (misalign ? (kAlign - misalign) / sizeof(T) : 0);
}

// One direction: sizes, inputs and the buffers it works in.
template <typename T>
struct LstmDirection {
  int64_t batch = 0, steps = 0, in = 0, units = 0;
  bool go_backwards = false;
  bool return_sequences = false;
  const T* x = nullptr;                 // [B, T, E]
  const int32_t* ids = nullptr;         // [B, T]; null: every step is real
  const T* kernel = nullptr;            // [E, 4H]
  const T* recurrent_kernel = nullptr;  // [H, 4H]
  const T* bias = nullptr;              // [4H]
  // Kept from forward to backward.
  T* x_mask = nullptr;     // [B, E] 0 or 1/(1−p); null: no input dropout
  T* h_mask = nullptr;     // [B, H]; null: no recurrent dropout
  T* x_rows = nullptr;     // the rows of the input GEMM (x ⊙ x_mask): real rows only with a
                           // mask, all B·T without one (then null when there is no dropout)
  T* gates = nullptr;      // [B·T, 4H] i, f, g, o after their activations
  T* cell = nullptr;       // [B·T, H] c after step t (carried through masked steps)
  T* cell_tanh = nullptr;  // [B·T, H] tanh(c_t)
  T* h_prev = nullptr;     // [B·T, H] h_{t-1} ⊙ h_mask: the rows of dU's GEMM
  T* h = nullptr;          // [B, H] the running state
  T* row = nullptr;        // one sample's step, each vector on its own 64-byte boundary
  T* step_h = nullptr;     // [B, H] scratch for one step's real rows ...
  T* step_z = nullptr;     // [B, 4H] ... and their products with U or Uᵀ
  // Backward only (bind_scratch).
  T* dz = nullptr;       // [B·T, 4H]
  T* dh = nullptr;       // [B, H]
  T* dc = nullptr;       // [B, H]
  T* dx_part = nullptr;  // [B·T, E] this direction's dx before it is added
  T* dw_part = nullptr;  // [E, 4H]
  T* du_part = nullptr;  // [H, 4H]
  T* h_real = nullptr;   // [≤B·T, H] with a mask: the real rows of h_prev ...
  T* dz_real = nullptr;  // [≤B·T, 4H] ... and of dz

  static constexpr size_t kSavedSlots = 11;
  static constexpr size_t kScratchSlots = 8;

  // Reads sizes and pointers from a node's inputs: x, [ids], ..., with this direction's
  // kernel, recurrent_kernel, bias at in[first_param ...].
  static LstmDirection from_inputs(const graph::LstmAttrs& a, Args<T> in, size_t first_param,
                                   bool backwards);
  // Points the kept buffers at saved slots [first, first + kSavedSlots); the same call in
  // backward finds what forward left there.
  void bind_saved(Saved<T>& saved, size_t first, bool input_dropout, bool recurrent_dropout);
  // Points the backward buffers at saved slots [first, first + kScratchSlots).
  void bind_scratch(Saved<T>& saved, size_t first);
  // Fills the bound dropout masks.
  // Row b's masks come from random.row(b, stream) (ops/row_random.h).
  void draw_masks(const RowSeeds& random, uint64_t stream, double dropout,
                  double recurrent_dropout) const;

  // y: [B, H], or [B, T, H] with return_sequences.
  void forward(T* y) const;
  // Adds into every non-null gradient buffer; dy has y's shape.
  void backward(const T* dy, T* dx, T* dkernel, T* drecurrent_kernel, T* dbias) const;

  bool real(int64_t b, int64_t t) const { return !ids || ids[b * steps + t] != 0; }
};

extern template struct LstmDirection<float>;
extern template struct LstmDirection<double>;

}  // namespace twinflow::ops
