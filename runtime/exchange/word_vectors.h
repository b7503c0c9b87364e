// runtime/exchange/word_vectors.h — an Embedding table of a trained model as word vectors in
// GloVe's text format, which `pretrained:` (runtime/text/pretrained.h), gensim and most tools
// read: one line "word v1 ... vE" per vocabulary token, in id order (most frequent first). The
// reserved ids (padding, out-of-vocabulary) have no word and no line. Numbers are written in
// the shortest form that reads back to the same value, so a table survives the round trip.
#pragma once

#include <string>
#include <string_view>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

// The Embedding layer `layer` names, or the model's only Embedding when `layer` is empty.
// Throws graph::RuntimeInputError naming the Embeddings there are when that is no Embedding or
// the choice is not clear.
std::string word_vector_layer(const graph::ModelSpec& spec, std::string_view layer);

// Writes the vectors of layer's table for vocab's tokens to path (atomically); returns how many
// were written. Throws FileError.
template <typename T>
int64_t write_glove(const std::string& path, const Vocabulary& vocab,
                    const ParameterStore<T>& params, const std::string& layer);

}  // namespace twinflow::runtime
