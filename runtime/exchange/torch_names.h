// runtime/exchange/torch_names.h — weights under the names and layouts of a PyTorch state_dict,
// the modules named as the spec's layers:
//
//   twinflow                       PyTorch
//   emb.embeddings [V, E]          emb.weight [V, E]                      nn.Embedding
//   head.kernel [in, out]          head.weight [out, in]                  nn.Linear
//   head.bias [out]                head.bias [out]
//   lstm.kernel [in, 4H]           lstm.weight_ih_l0 [4H, in]             nn.LSTM(batch_first=True)
//   lstm.recurrent_kernel [H, 4H]  lstm.weight_hh_l0 [4H, H]
//   lstm.bias [4H]                 lstm.bias_ih_l0 + lstm.bias_hh_l0 [4H]
//   bilstm.forward.*, .backward.*  bilstm.*_l0, bilstm.*_l0_reverse nn.LSTM(bidirectional=True)
// PyTorch's gate order i, f, g, o is twinflow's i, f, c, o, so LSTM matrices are only
// transposed. Writing puts the bias in bias_ih and zeros in bias_hh; reading adds the two (an
// all-zero bias_hh leaves bias_ih exactly as it is). A name's module path may be nested
// ("encoder.emb.weight"): its last module is the layer.
#pragma once

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/io/safetensors.h"

namespace twinflow::runtime {

// Every parameter of the model under PyTorch's name, in the store's dtype.
template <typename T>
SafetensorsContent torch_weights(const graph::Model& model, const ParameterStore<T>& params);

// The tensors of a PyTorch-named file under twinflow's names, for load_weights
// (runtime/io/weights_file.h). Throws SafetensorsError naming a tensor that maps to no
// parameter, or an LSTM bias of which one half is missing. `file` names the source.
SafetensorsContent from_torch_names(const SafetensorsContent& torch, const graph::Graph& g,
                                    std::string_view file);

extern template SafetensorsContent torch_weights(const graph::Model&, const ParameterStore<float>&);
extern template SafetensorsContent torch_weights(const graph::Model&,
                                                 const ParameterStore<double>&);

}  // namespace twinflow::runtime
