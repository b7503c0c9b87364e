// runtime/exchange/keras_h5.h — weights as Keras 2 writes them with model.save_weights("w.h5").
//
//   /                                 attributes layer_names, backend, keras_version
//   /<layer>                          attribute weight_names, in Keras's order
//   /<layer>/<weight name>            one float dataset per weight:
//     emb/embeddings:0                                     Embedding [V, E]
//     hidden/kernel:0, hidden/bias:0                        Dense [in, units], [units]
//     lstm/lstm_cell/{kernel,recurrent_kernel,bias}:0       LSTM [in, 4H], [H, 4H], [4H]
//     bilstm/forward_lstm/lstm_cell/kernel:0, ..., bilstm/backward_lstm/lstm_cell/bias:0
//                                                           Bidirectional, forward then backward
// A Keras model whose layers carry the spec's layer names (Embedding(..., name="emb")) reads
// such a file with load_weights(..., by_name=True) and writes one twinflow reads. Keras's
// layouts are twinflow's (LSTM gates i, f, c, o), so values are copied as they are.
//
// Reading also takes a whole-model file (model.save: the same under /model_weights). A weight
// belongs to the first layer of the model named on its path (the group, then the parts of the
// weight name: a nested Keras model's group holds its layers' weights under their own names);
// a part "forward_..." or "backward_..." picks the direction and the last part, without ":0",
// the parameter. A weight that names no layer is an error naming it.
#pragma once

#include <string>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/io/safetensors.h"

namespace twinflow::runtime {

// Every parameter of the model, in the store's dtype (float32 or float64 datasets).
template <typename T>
void write_keras_h5(const std::string& path, const graph::Model& model,
                    const ParameterStore<T>& params);

// The file's weights under twinflow's parameter names ("bilstm.forward.kernel"), each in the
// file's dtype, for load_weights (runtime/io/weights_file.h) to match against the model.
// Throws Hdf5Error (runtime/exchange/hdf5_file.h) for a damaged file or a weight that maps to no
// layer, naming it.
SafetensorsContent read_keras_h5(const std::string& path, const graph::Graph& g);

extern template void write_keras_h5(const std::string&, const graph::Model&,
                                    const ParameterStore<float>&);
extern template void write_keras_h5(const std::string&, const graph::Model&,
                                    const ParameterStore<double>&);

}  // namespace twinflow::runtime
