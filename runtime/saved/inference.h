// runtime/saved/inference.h — a trained model applied to new texts: tower vectors and pair scores.
//
// Every input must be fed for a forward pass, so a text goes to every text input at once and
// the real inputs (labels) get zeros; only the value asked for is read. The vectors are the
// tower output of the first text input (runtime/saved/model_roles.h): x1 in the cosine Siamese
// network, anchor_vec in the triplet networks. Scores are the model's own similarity, higher
// = more alike: a pair model's pred on (query, text) (−distance for a contrastive model); a
// triplet or tower model's −d(tower(query), tower(text)) under its distance (ModelRoles::distance).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph/model/model.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/saved/model_roles.h"
#include "runtime/text/line_reader.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

struct Vectors {
  int64_t rows = 0;
  int64_t dim = 0;
  std::vector<double> values;  // row-major [rows, dim]
};

template <typename T>
Vectors embed_texts(const graph::Model& model, const ModelRoles& roles, const Vocabulary& vocab,
                    ParameterStore<T>& params, std::span<const std::string> texts,
                    int64_t batch_size);

// A pair model's score (as similarity_scores: higher = more alike) of each pair
// (firsts[i], seconds[i]): the first text input reads firsts, the other text inputs seconds.
template <typename T>
std::vector<double> pair_scores(const graph::Model& model, const ModelRoles& roles,
                                const Vocabulary& vocab, ParameterStore<T>& params,
                                std::span<const std::string> firsts,
                                std::span<const std::string> seconds, int64_t batch_size);

template <typename T>
std::vector<double> similarity_scores(const graph::Model& model, const ModelRoles& roles,
                                      const Vocabulary& vocab, ParameterStore<T>& params,
                                      const std::string& query, std::span<const std::string> texts,
                                      int64_t batch_size);

// The non-empty lines of a text file, one text each. Throws DataError.
std::vector<std::string> read_text_lines(const std::string& path);

// The same from a reader (a file or a stream), with the line number (from 1) of each text.
struct NumberedTexts {
  std::vector<std::string> texts;
  std::vector<int64_t> lines;
};
NumberedTexts read_numbered_texts(LineReader& reader);

}  // namespace twinflow::runtime
