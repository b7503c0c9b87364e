#include "runtime/exchange/onnx_lstm.h"

#include <array>

#include "graph/ir/attrs.h"

namespace twinflow::runtime {

namespace {

// ONNX gate k (i, o, f, c) is twinflow's gate kFrom[k] (of i, f, c, o).
constexpr std::array<int64_t, 4> kFrom = {0, 3, 1, 2};

void append(std::vector<float>& to, const std::vector<float>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

std::vector<float> onnx_gate_rows(const std::vector<float>& kernel, int64_t rows, int64_t h) {
  std::vector<float> out(kernel.size());
  for (int64_t k = 0; k < 4; ++k)
    for (int64_t j = 0; j < h; ++j)
      for (int64_t r = 0; r < rows; ++r)
        out[static_cast<size_t>(((k * h + j) * rows) + r)] =
            kernel[static_cast<size_t>(r * 4 * h + kFrom[k] * h + j)];
  return out;
}

std::string lstm_to_onnx(OnnxGraph& out, const graph::Node& n, const std::string& x, int64_t in,
                         bool masked, const std::vector<LstmWeights>& directions) {
  const auto* bi = std::any_cast<graph::BidirectionalAttrs>(&n.attrs);
  const graph::LstmAttrs lstm = bi ? bi->layer : std::any_cast<graph::LstmAttrs>(n.attrs);
  const int64_t h = lstm.units;
  const auto dirs = static_cast<int64_t>(directions.size());
  std::vector<float> w, r, b;
  for (const LstmWeights& d : directions) {
    append(w, onnx_gate_rows(*d.kernel, in, h));
    append(r, onnx_gate_rows(*d.recurrent_kernel, h, h));
    std::vector<float> bias(static_cast<size_t>(8 * h), 0.0f);
    for (int64_t k = 0; k < 4; ++k)
      for (int64_t j = 0; j < h; ++j)
        bias[static_cast<size_t>(k * h + j)] = (*d.bias)[static_cast<size_t>(kFrom[k] * h + j)];
    append(b, bias);
  }
  const std::string& name = n.name;
  const std::string time_major =
      out.add1("Transpose", {x}, name + "/time_major", {{"perm", std::vector<int64_t>{1, 0, 2}}});
  const std::string direction = bi ? "bidirectional" : lstm.go_backwards ? "reverse" : "forward";
  const std::vector<std::string> ys =
      out.add("LSTM",
              {time_major, out.floats(name + "/W", w, {dirs, 4 * h, in}),
               out.floats(name + "/R", r, {dirs, 4 * h, h}),
               out.floats(name + "/B", b, {dirs, 8 * h}), masked ? out.lengths() : std::string()},
              name + "/lstm", {{"hidden_size", h}, {"direction", direction}}, 2);
  // Y [seq, dirs, batch, H] with every step; Y_h [dirs, batch, H] the final states.
  const std::string& y = lstm.return_sequences ? ys[0] : ys[1];
  const int64_t dir_axis = lstm.return_sequences ? 1 : 0;
  const std::vector<int64_t> batch_first =
      lstm.return_sequences ? std::vector<int64_t>{1, 0, 2} : std::vector<int64_t>{0, 1};
  if (!bi || bi->merge == graph::MergeMode::kConcat) {
    if (!bi) {
      const std::string one = out.add1("Squeeze", {y, out.int64s({dir_axis})}, name + "/squeeze");
      return lstm.return_sequences ? out.add1("Transpose", {one}, name, {{"perm", batch_first}})
                                   : one;
    }
    // [batch, (seq,) dirs, H] → [batch, (seq,) dirs·H]: forward half first.
    const std::vector<int64_t> perm =
        lstm.return_sequences ? std::vector<int64_t>{2, 0, 1, 3} : std::vector<int64_t>{1, 0, 2};
    const std::string moved = out.add1("Transpose", {y}, name + "/batch_first", {{"perm", perm}});
    const std::vector<int64_t> shape =
        lstm.return_sequences ? std::vector<int64_t>{0, 0, -1} : std::vector<int64_t>{0, -1};
    return out.add1("Reshape", {moved, out.int64s(shape)}, name);
  }
  std::string merged;
  if (bi->merge == graph::MergeMode::kSum)
    merged = out.add1("ReduceSum", {y, out.int64s({dir_axis})}, name + "/sum",
                      {{"keepdims", int64_t{0}}});
  else
    merged = out.add1(bi->merge == graph::MergeMode::kAve ? "ReduceMean" : "ReduceProd", {y},
                      name + "/merge",
                      {{"axes", std::vector<int64_t>{dir_axis}}, {"keepdims", int64_t{0}}});
  return lstm.return_sequences ? out.add1("Transpose", {merged}, name, {{"perm", batch_first}})
                               : merged;
}

}  // namespace twinflow::runtime
