#include "ops/lstm_kernel.h"

#include <algorithm>

namespace twinflow::ops {

using graph::LstmAttrs;
using graph::Shape;

namespace {

template <typename T>
using StridedMap = Eigen::Map<RowMatrix<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstArrayMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// Rows b·T + t (b = 0 … B−1) of a batch-major [B·T, n] buffer: step t of every sample.
template <typename T>
StridedMap<T> step_rows(T* base, int64_t batch, int64_t steps, int64_t t, int64_t n) {
  return StridedMap<T>(base + t * n, batch, n, Eigen::OuterStride<>(steps * n));
}

// Distance between the vectors of LstmDirection::row: each starts on a 64-byte boundary.
template <typename T>
int64_t row_stride(int64_t units) {
  constexpr int64_t kPerLine = 64 / static_cast<int64_t>(sizeof(T));
  return (units + kPerLine - 1) / kPerLine * kPerLine;
}

// One real step of one sample. Reads z = [z_i, z_f, z_c, z_o] and overwrites it with i, f, g,
// o; writes c = f ⊙ c_prev + i ⊙ g, tanh(c) and h = o ⊙ tanh(c). A null c_prev is the zero
// initial state. The math runs in the aligned `row` (see aligned_slot) and is copied out.
template <typename T>
void cell_forward(int64_t units, T* z, const T* c_prev, T* c, T* c_tanh, T* h, T* row) {
  const int64_t n = units, s = row_stride<T>(units);
  ArrayMap<T> i(row, n), f(row + s, n), g(row + 2 * s, n), o(row + 3 * s, n);
  ArrayMap<T> cell(row + 4 * s, n), tc(row + 5 * s, n);
  i = ConstArrayMap<T>(z, n).logistic();
  f = ConstArrayMap<T>(z + n, n).logistic();
  g = ConstArrayMap<T>(z + 2 * n, n).tanh();
  o = ConstArrayMap<T>(z + 3 * n, n).logistic();
  if (c_prev)
    cell = f * ConstArrayMap<T>(c_prev, n) + i * g;
  else
    cell = i * g;
  tc = cell.tanh();
  ArrayMap<T>(h, n) = o * tc;
  for (int k = 0; k < 4; ++k) std::copy(row + k * s, row + k * s + n, z + k * n);
  std::copy(row + 4 * s, row + 4 * s + n, c);
  std::copy(row + 5 * s, row + 5 * s + n, c_tanh);
}

// The VJP of cell_forward for one sample. dh, dc hold the cotangents of h and c after the
// step; writes dz and leaves in dc the cotangent of c_prev.
template <typename T>
void cell_backward(int64_t units, const T* gates, const T* c_prev, const T* c_tanh, const T* dh_row,
                   T* dc_row, T* dz, T* row) {
  const int64_t n = units, s = row_stride<T>(units);
  const ConstArrayMap<T> i(gates, n), f(gates + n, n), g(gates + 2 * n, n), o(gates + 3 * n, n);
  const ConstArrayMap<T> tc(c_tanh, n), dh(dh_row, n);
  ArrayMap<T> dc(row, n), dz_i(row + s, n), dz_f(row + 2 * s, n), dz_g(row + 3 * s, n),
      dz_o(row + 4 * s, n);
  dc = ConstArrayMap<T>(dc_row, n) + dh * o * (T(1) - tc.square());
  dz_i = dc * g * i * (T(1) - i);
  if (c_prev)
    dz_f = dc * ConstArrayMap<T>(c_prev, n) * f * (T(1) - f);
  else
    dz_f.setZero();
  dz_g = dc * i * (T(1) - g.square());
  dz_o = dh * tc * o * (T(1) - o);
  for (int k = 0; k < 4; ++k) std::copy(row + (k + 1) * s, row + (k + 1) * s + n, dz + k * n);
  ArrayMap<T>(dc_row, n) = dc * f;
}

// Copies the real rows among rows first, first + stride, … (count of them) of src [·, width]
// into consecutive rows of dst, in order. Returns how many it copied.
template <typename T>
int64_t gather_real(const int32_t* ids, int64_t first, int64_t stride, int64_t count, const T* src,
                    int64_t width, T* dst) {
  int64_t m = 0;
  for (int64_t k = 0, r = first; k < count; ++k, r += stride)
    if (ids[r] != 0) std::copy(src + r * width, src + (r + 1) * width, dst + (m++) * width);
  return m;
}

// z = (x ⊙ x_mask)·W + b for every real row as one GEMM, into p.gates (padded rows get 0).
template <typename T>
void project_inputs(const LstmDirection<T>& p) {
  const int64_t n = p.batch * p.steps, e = p.in, g = 4 * p.units;
  const T* x_rows = p.x;
  int64_t m = n;
  if (p.x_rows) {  // only the real rows, with dropout applied
    m = 0;
    for (int64_t r = 0; r < n; ++r) {
      if (!p.real(r / p.steps, r % p.steps)) continue;
      ArrayMap<T> row(p.x_rows + (m++) * e, e);
      row = ConstArrayMap<T>(p.x + r * e, e);
      if (p.x_mask) row *= ConstArrayMap<T>(p.x_mask + (r / p.steps) * e, e);
    }
    x_rows = p.x_rows;
  }
  MatrixMap<T> z(p.gates, m, g);
  z.noalias() = ConstMatrixMap<T>(x_rows, m, e) * ConstMatrixMap<T>(p.kernel, e, g);
  z.rowwise() += ConstVectorMap<T>(p.bias, g).transpose();
  if (!p.ids) return;
  // Moves compact row k to its row r ≥ k, last first, so no row is overwritten before it moved.
  for (int64_t r = n - 1, k = m - 1; r >= 0; --r) {
    T* dst = p.gates + r * g;
    if (p.ids[r] == 0) {
      std::fill(dst, dst + g, T(0));
      continue;
    }
    if (k != r) std::copy(p.gates + k * g, p.gates + (k + 1) * g, dst);
    --k;
  }
}

// z_t += h_{t-1}·U for the real rows of step t.
template <typename T>
void recurrent_forward(const LstmDirection<T>& p, int64_t t) {
  const int64_t hn = p.units, g = 4 * hn;
  const ConstMatrixMap<T> u(p.recurrent_kernel, hn, g);
  if (!p.ids) {
    step_rows(p.gates, p.batch, p.steps, t, g).noalias() +=
        step_rows(p.h_prev, p.batch, p.steps, t, hn) * u;
    return;
  }
  const int64_t k = gather_real(p.ids, t, p.steps, p.batch, p.h_prev, hn, p.step_h);
  MatrixMap<T>(p.step_z, k, g).noalias() = ConstMatrixMap<T>(p.step_h, k, hn) * u;
  for (int64_t b = 0, j = 0; b < p.batch; ++b)
    if (p.real(b, t))
      VectorMap<T>(p.gates + (b * p.steps + t) * g, g) +=
          ConstVectorMap<T>(p.step_z + (j++) * g, g);
}

// dh ← (dz_t·Uᵀ) ⊙ h_mask for the real rows of step t; padded rows keep carrying dh.
template <typename T>
void recurrent_backward(const LstmDirection<T>& p, int64_t t) {
  const int64_t hn = p.units, g = 4 * hn;
  const auto ut = ConstMatrixMap<T>(p.recurrent_kernel, hn, g).transpose();
  int64_t k = p.batch;
  if (p.ids) {
    k = gather_real(p.ids, t, p.steps, p.batch, p.dz, g, p.step_z);
    MatrixMap<T>(p.step_h, k, hn).noalias() = ConstMatrixMap<T>(p.step_z, k, g) * ut;
  } else {
    MatrixMap<T>(p.step_h, k, hn).noalias() = step_rows(p.dz, p.batch, p.steps, t, g) * ut;
  }
  for (int64_t b = 0, j = 0; b < p.batch; ++b) {
    if (!p.real(b, t)) continue;
    ArrayMap<T> dh(p.dh + b * hn, hn);
    const ConstArrayMap<T> from(p.step_h + (j++) * hn, hn);
    if (p.h_mask)
      dh = from * ConstArrayMap<T>(p.h_mask + b * hn, hn);
    else
      dh = from;
  }
}

// dW, dU, db and dx from the stacked dz, each added into its (non-null) buffer.
template <typename T>
void add_gradients(const LstmDirection<T>& p, T* dx, T* dkernel, T* drecurrent_kernel, T* dbias) {
  const int64_t n = p.batch * p.steps, e = p.in, hn = p.units, g = 4 * hn;
  const T* x_rows = p.x_rows ? p.x_rows : p.x;
  const T *h_rows = p.h_prev, *dz_rows = p.dz;
  int64_t m = n;
  if (p.ids) {  // the real rows, in the order project_inputs gathered x's
    m = gather_real(p.ids, 0, 1, n, p.h_prev, hn, p.h_real);
    gather_real(p.ids, 0, 1, n, p.dz, g, p.dz_real);
    h_rows = p.h_real, dz_rows = p.dz_real;
  }
  // Each gradient goes to this direction's own aligned buffer first and is then added, so the
  // caller's buffers (and their alignment) never change how it is rounded.
  const ConstMatrixMap<T> dzs(dz_rows, m, g);
  if (dkernel) {
    MatrixMap<T>(p.dw_part, e, g).noalias() = ConstMatrixMap<T>(x_rows, m, e).transpose() * dzs;
    VectorMap<T>(dkernel, e * g) += ConstVectorMap<T>(p.dw_part, e * g);
  }
  if (drecurrent_kernel) {
    MatrixMap<T>(p.du_part, hn, g).noalias() = ConstMatrixMap<T>(h_rows, m, hn).transpose() * dzs;
    VectorMap<T>(drecurrent_kernel, hn * g) += ConstVectorMap<T>(p.du_part, hn * g);
  }
  if (dbias) {
    VectorMap<T> db(dbias, g);
    for (int64_t r = 0; r < m; ++r) db += dzs.row(r).transpose();
  }
  if (!dx) return;
  MatrixMap<T>(p.dx_part, m, e).noalias() = dzs * ConstMatrixMap<T>(p.kernel, e, g).transpose();
  for (int64_t r = 0, k = 0; r < n; ++r) {  // row k of dx_part is the k-th real row
    if (!p.real(r / p.steps, r % p.steps)) continue;
    ArrayMap<T> part(p.dx_part + k * e, e);
    if (p.x_mask) part *= ConstArrayMap<T>(p.x_mask + (r / p.steps) * e, e);
    ArrayMap<T>(dx + r * e, e) += part;
    ++k;
  }
}

}  // namespace

template <typename T>
LstmDirection<T> LstmDirection<T>::from_inputs(const LstmAttrs& a, Args<T> in, size_t first_param,
                                               bool backwards) {
  LstmDirection p;
  const Shape& xs = in[0].shape;
  p.batch = xs[0];
  p.steps = xs[1];
  p.in = xs[2];
  p.units = a.units;
  p.go_backwards = backwards;
  p.return_sequences = a.return_sequences;
  p.x = in[0].x;
  p.ids = in[1].ids;  // null when in[1] is the kernel
  p.kernel = in[first_param].x;
  p.recurrent_kernel = in[first_param + 1].x;
  p.bias = in[first_param + 2].x;
  return p;
}

template <typename T>
void LstmDirection<T>::bind_saved(Saved<T>& saved, size_t first, bool input_dropout,
                                  bool recurrent_dropout) {
  const auto n = static_cast<size_t>(batch * steps);
  const auto b = static_cast<size_t>(batch), e = static_cast<size_t>(in);
  const auto h_size = static_cast<size_t>(units);
  x_mask = input_dropout ? aligned_slot(saved, first, b * e) : nullptr;
  x_rows = ids || input_dropout ? aligned_slot(saved, first + 1, n * e) : nullptr;
  h_mask = recurrent_dropout ? aligned_slot(saved, first + 2, b * h_size) : nullptr;
  gates = aligned_slot(saved, first + 3, n * 4 * h_size);
  cell = aligned_slot(saved, first + 4, n * h_size);
  cell_tanh = aligned_slot(saved, first + 5, n * h_size);
  h_prev = aligned_slot(saved, first + 6, n * h_size);
  h = aligned_slot(saved, first + 7, b * h_size);
  row = aligned_slot(saved, first + 8, static_cast<size_t>(6 * row_stride<T>(units)));
  step_h = aligned_slot(saved, first + 9, b * h_size);
  step_z = aligned_slot(saved, first + 10, b * 4 * h_size);
}

template <typename T>
void LstmDirection<T>::bind_scratch(Saved<T>& saved, size_t first) {
  const auto n = static_cast<size_t>(batch * steps);
  const auto b = static_cast<size_t>(batch), h_size = static_cast<size_t>(units);
  const auto e = static_cast<size_t>(in);
  dz = aligned_slot(saved, first, n * 4 * h_size);
  dh = aligned_slot(saved, first + 1, b * h_size);
  dc = aligned_slot(saved, first + 2, b * h_size);
  dx_part = aligned_slot(saved, first + 3, n * e);
  dw_part = aligned_slot(saved, first + 4, e * 4 * h_size);
  du_part = aligned_slot(saved, first + 5, h_size * 4 * h_size);
  h_real = ids ? aligned_slot(saved, first + 6, n * h_size) : nullptr;
  dz_real = ids ? aligned_slot(saved, first + 7, n * 4 * h_size) : nullptr;
}

template <typename T>
void LstmDirection<T>::draw_masks(const RowSeeds& random, uint64_t stream, double dropout,
                                  double recurrent_dropout) const {
  auto fill = [](RowRandom& rng, T* mask, int64_t count, double rate) {
    const T keep = static_cast<T>(1.0 / (1.0 - rate));
    for (int64_t k = 0; k < count; ++k)
      mask[k] = std::generate_canonical<double, 53>(rng) < rate ? T(0) : keep;
  };
  for (int64_t b = 0; b < batch; ++b) {
    RowRandom rng = random.row(b, stream);
    if (x_mask) fill(rng, x_mask + b * in, in, dropout);
    if (h_mask) fill(rng, h_mask + b * units, units, recurrent_dropout);
  }
}

template <typename T>
void LstmDirection<T>::forward(T* y) const {
  const int64_t hn = units, g = 4 * units;
  project_inputs(*this);
  MatrixMap<T> state(h, batch, hn);
  state.setZero();
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = go_backwards ? steps - 1 - s : s;
    const int64_t t_prev = go_backwards ? t + 1 : t - 1;  // read only when s > 0
    StridedMap<T> hp = step_rows(h_prev, batch, steps, t, hn);
    if (h_mask)
      hp = state.cwiseProduct(ConstMatrixMap<T>(h_mask, batch, hn));
    else
      hp = state;
    if (s > 0) recurrent_forward(*this, t);
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t r = b * steps + t;
      const T* c_prev = s > 0 ? cell + (b * steps + t_prev) * hn : nullptr;
      const bool is_real = real(b, t);
      if (is_real)
        cell_forward(hn, gates + r * g, c_prev, cell + r * hn, cell_tanh + r * hn, h + b * hn, row);
      else if (c_prev)
        std::copy(c_prev, c_prev + hn, cell + r * hn);
      else
        std::fill(cell + r * hn, cell + (r + 1) * hn, T(0));
      if (!return_sequences) continue;
      if (is_real)
        std::copy(h + b * hn, h + (b + 1) * hn, y + r * hn);
      else
        std::fill(y + r * hn, y + (r + 1) * hn, T(0));
    }
  }
  if (!return_sequences) MatrixMap<T>(y, batch, hn) = state;
}

template <typename T>
void LstmDirection<T>::backward(const T* dy, T* dx, T* dkernel, T* drecurrent_kernel,
                                T* dbias) const {
  const int64_t hn = units, g = 4 * units;
  MatrixMap<T> dh_state(dh, batch, hn), dc_state(dc, batch, hn);
  if (return_sequences)
    dh_state.setZero();
  else
    dh_state = ConstMatrixMap<T>(dy, batch, hn);
  dc_state.setZero();
  for (int64_t s = steps - 1; s >= 0; --s) {
    const int64_t t = go_backwards ? steps - 1 - s : s;
    const int64_t t_prev = go_backwards ? t + 1 : t - 1;
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t r = b * steps + t;
      if (!real(b, t)) {  // the state passed through unchanged
        std::fill(dz + r * g, dz + (r + 1) * g, T(0));
        continue;
      }
      if (return_sequences) ArrayMap<T>(dh + b * hn, hn) += ConstArrayMap<T>(dy + r * hn, hn);
      const T* c_prev = s > 0 ? cell + (b * steps + t_prev) * hn : nullptr;
      cell_backward(hn, gates + r * g, c_prev, cell_tanh + r * hn, dh + b * hn, dc + b * hn,
                    dz + r * g, row);
    }
    if (s > 0) recurrent_backward(*this, t);  // h_0 is a constant: nothing flows past s = 0
  }
  add_gradients(*this, dx, dkernel, drecurrent_kernel, dbias);
}

template struct LstmDirection<float>;
template struct LstmDirection<double>;

}  // namespace twinflow::ops
