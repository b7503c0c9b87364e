// runtime/exchange/onnx_lstm.h — twinflow's LSTM and Bidirectional as one ONNX LSTM node.
//
// ONNX orders the gates i, o, f, c where twinflow (Keras) has i, f, c, o, and holds W [dirs, 4H,
// in] and R [dirs, 4H, H] transposed from kernel [in, 4H] and recurrent_kernel [H, 4H]; its B
// [dirs, 8H] is [Wb, Rb], here [bias, 0]. X is time-major, [seq, batch, in]. Masking becomes
// sequence_lens, the number of non-zero ids of each row: the same steps when padding is post,
// as twinflow's tokenizer pads. A go_backwards LSTM is direction "reverse".
#pragma once

#include <string>
#include <vector>

#include "graph/ir/graph.h"
#include "runtime/exchange/onnx_graph.h"

namespace twinflow::runtime {

// One direction's kernel, recurrent_kernel and bias as float, twinflow's layout.
struct LstmWeights {
  const std::vector<float>* kernel = nullptr;
  const std::vector<float>* recurrent_kernel = nullptr;
  const std::vector<float>* bias = nullptr;
};

// Adds the nodes of LSTM or Bidirectional node n reading x (an ONNX tensor [batch, seq, in]);
// masked: n reads token ids. Returns the ONNX tensor of n's output.
std::string lstm_to_onnx(OnnxGraph& out, const graph::Node& n, const std::string& x, int64_t in,
                         bool masked, const std::vector<LstmWeights>& directions);

// kernel [rows, 4H] in gate order i, f, c, o → [4H, rows] in gate order i, o, f, c.
std::vector<float> onnx_gate_rows(const std::vector<float>& kernel, int64_t rows, int64_t h);

}  // namespace twinflow::runtime
