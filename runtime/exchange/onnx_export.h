// runtime/exchange/onnx_export.h — a tower (runtime/exchange/tower.h) as an ONNX model.
//
//   input   the tower's text input, int64 token ids [batch, seq] (0 = padding, after the real
//           tokens, as twinflow's tokenizer and vocabulary make them; any seq)
//   output  the tower's vector, float32 [batch, D]
// Opset 17 (ONNX 1.12), float32 weights. The ops each twinflow op becomes:
//   Embedding                 Gather (with mask_zero, row 0 of the table written as zeros:
//                             padding embeds to 0, as in twinflow)
//   LSTM, Bidirectional       LSTM with sequence_lens (runtime/exchange/onnx_lstm.h)
//   Dense                     Gemm on [batch, in], MatMul + Add on more axes; then the activation
//   GlobalAveragePooling1D,   masked by the ids: a sum over the real steps divided by their
//   GlobalMaxPooling1D        count, a max over them (0 for a row without one)
//   Lambda primitives         Add Sub Mul Div Max Min Neg Exp Log Sqrt Abs Tanh Sigmoid Relu,
//                             Square as Mul, ReduceSum ReduceMean ReduceMax, Dot, L2Norm,
//                             Cosine, Slice, Concatenate, ReverseSequence
// Any other op (the losses) is refused, naming the node and its op.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"

namespace twinflow::runtime {

// The serialized ModelProto. Throws graph::RuntimeInputError for a model that is not one text
// input to one output, or that holds an op this exporter does not convert.
template <typename T>
std::string onnx_model_bytes(const graph::Model& tower, const ParameterStore<T>& params);

// The same written to path (atomically).
template <typename T>
void write_onnx(const std::string& path, const graph::Model& tower,
                const ParameterStore<T>& params);

// The twinflow ops the exporter converts.
const std::vector<std::string_view>& onnx_exportable_ops();

extern template std::string onnx_model_bytes(const graph::Model&, const ParameterStore<float>&);
extern template std::string onnx_model_bytes(const graph::Model&, const ParameterStore<double>&);
extern template void write_onnx(const std::string&, const graph::Model&,
                                const ParameterStore<float>&);
extern template void write_onnx(const std::string&, const graph::Model&,
                                const ParameterStore<double>&);

}  // namespace twinflow::runtime
