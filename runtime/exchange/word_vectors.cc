#include "runtime/exchange/word_vectors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iterator>
#include <vector>

#include "graph/ir/errors.h"
#include "runtime/io/atomic_file.h"

namespace twinflow::runtime {

std::string word_vector_layer(const graph::ModelSpec& spec, std::string_view layer) {
  std::vector<std::string> embeddings;
  for (const graph::LayerSpec& l : spec.layers)
    if (l.op == "Embedding") embeddings.push_back(l.name);
  const std::string listed =
      embeddings.empty() ? "it has none" : fmt::format("it has {}", fmt::join(embeddings, ", "));
  if (layer.empty()) {
    if (embeddings.size() == 1) return embeddings.front();
    throw graph::RuntimeInputError(
        fmt::format("give --layer: word vectors come from one Embedding, and {}", listed));
  }
  for (const std::string& name : embeddings)
    if (name == layer) return name;
  throw graph::RuntimeInputError(
      fmt::format("--layer {}: no Embedding of that name; {}", layer, listed));
}

template <typename T>
int64_t write_glove(const std::string& path, const Vocabulary& vocab,
                    const ParameterStore<T>& params, const std::string& layer) {
  const std::string name = layer + ".embeddings";
  const Parameter<T>* table = nullptr;
  for (const Parameter<T>& p : params.all())
    if (p.name == name) table = &p;
  if (table == nullptr) throw graph::RuntimeInputError(fmt::format("no parameter {}", name));
  const int64_t rows = table->data.shape[0], dim = table->data.shape[1];
  if (rows < vocab.size())
    throw graph::RuntimeInputError(fmt::format("{} has {} rows, fewer than the vocabulary's {} ids",
                                               name, rows, vocab.size()));
  std::string text;
  int64_t written = 0;
  for (const std::string& token : vocab.tokens()) {
    const int64_t id = Vocabulary::kFirstToken + written;
    text += token;
    for (int64_t e = 0; e < dim; ++e)
      fmt::format_to(std::back_inserter(text), " {}",
                     table->data.data[static_cast<size_t>(id * dim + e)]);
    text += '\n';
    ++written;
  }
  write_file_atomically(path, text);
  return written;
}

template int64_t write_glove(const std::string&, const Vocabulary&, const ParameterStore<float>&,
                             const std::string&);
template int64_t write_glove(const std::string&, const Vocabulary&, const ParameterStore<double>&,
                             const std::string&);

}  // namespace twinflow::runtime
