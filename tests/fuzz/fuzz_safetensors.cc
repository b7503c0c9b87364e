// tests/fuzz/fuzz_safetensors.cc — a safetensors file parsed, its tensors converted, and loaded
// as the weights of a small model.
//
// The input is the file's bytes. The reader's one error for a bad file is SafetensorsError;
// any other exception is a finding. A file that parses must also survive the writer: written
// again and read back, it holds the same tensors and metadata.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "graph/ir/graph.h"
#include "runtime/exec/parameter_store.h"
#include "runtime/io/safetensors.h"
#include "runtime/io/weights_file.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::graph::Shape;
using twinflow::runtime::LoadMode;
using twinflow::runtime::SafetensorsContent;
using twinflow::runtime::SafetensorsError;
using twinflow::runtime::StoredTensor;

template <typename T>
void convert(const StoredTensor& t) {
  try {
    (void)twinflow::runtime::stored_values<T>(t, "fuzz.safetensors: tensor");
  } catch (const SafetensorsError& e) {
    twinflow::fuzz::rejected(e);
  }
}

bool same(const SafetensorsContent& a, const SafetensorsContent& b) {
  if (a.metadata != b.metadata || a.tensors.size() != b.tensors.size()) return false;
  for (auto i = a.tensors.begin(), j = b.tensors.begin(); i != a.tensors.end(); ++i, ++j)
    if (i->first != j->first || i->second.dtype != j->second.dtype ||
        !(i->second.shape == j->second.shape) || i->second.bytes != j->second.bytes)
      return false;
  return true;
}

void check_round_trip(const SafetensorsContent& content) {
  const std::vector<unsigned char> written = twinflow::runtime::serialize_safetensors(content);
  if (!same(twinflow::runtime::parse_safetensors(written, "written.safetensors"), content)) {
    std::fprintf(stderr, "fuzz_safetensors: the file reads back different once written\n");
    std::abort();
  }
}

// A Dense head and an Embedding's table, by the names weight files use.
const twinflow::graph::Graph& small_model() {
  static const twinflow::graph::Graph g = [] {
    twinflow::graph::Graph m;
    m.add_parameter("head.kernel", Shape{3, 2});
    m.add_parameter("head.bias", Shape{2});
    m.add_parameter("emb.embeddings", Shape{4, 3}, twinflow::graph::Init::kGlorotUniform, false);
    return m;
  }();
  return g;
}

template <typename T>
void load(const SafetensorsContent& content, LoadMode mode) {
  twinflow::runtime::ParameterStore<T> params(small_model(), 1);
  try {
    (void)twinflow::runtime::load_weights(content, params, mode, "fuzz.safetensors");
  } catch (const SafetensorsError& e) {
    twinflow::fuzz::rejected(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SafetensorsContent content;
  try {
    content = twinflow::runtime::parse_safetensors(std::span(data, size), "fuzz.safetensors");
  } catch (const SafetensorsError& e) {
    twinflow::fuzz::rejected(e);
    return 0;
  }
  for (const auto& entry : content.tensors) {
    convert<float>(entry.second);
    convert<double>(entry.second);
    convert<int32_t>(entry.second);
    convert<int64_t>(entry.second);
  }
  check_round_trip(content);
  load<float>(content, LoadMode::kReport);
  load<double>(content, LoadMode::kStrict);
  return 0;
}
