// runtime/io/ (twinflow_runtime_io): files that must never be half written.
// Owns atomic writes, the safetensors format and weights files of a parameter store.
// May include: runtime/exec and below.
//
// runtime/io/safetensors.h — safetensors files: the weights users exchange, loadable with numpy.
//
//   [8 bytes] N, the header length, unsigned little-endian
//   [N bytes] JSON header, padded with spaces to a multiple of 8:
//             {"emb.embeddings": {"dtype": "F32", "shape": [20000, 100],
//                                 "data_offsets": [0, 8000000]}, ...,
//              "__metadata__": {"key": "value", ...}}          (optional, strings only)
//   [rest]    raw little-endian data; offsets count from its first byte
// Writing puts the tensors in name order, back to back, and replaces the file atomically
// (runtime/io/atomic_file.h). Reading checks everything a damaged or hostile file can get wrong
// (length, JSON, dtype, shape, offsets in range, not overlapping, covering the data exactly,
// sized as shape × dtype) and throws SafetensorsError naming the file and the tensor; it never
// reads outside the file. twinflow reads and writes F32, F64, I32 and I64.
// scripts/read_safetensors.py reads these files with numpy alone.
#pragma once

#include <bit>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/shape.h"
#include "ops/tensor.h"

namespace twinflow::runtime {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian and is copied as is");

// A file is damaged, or holds something twinflow cannot read; the message names the file
// and, when one is at fault, the tensor.
class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class StoredDType { kF32, kF64, kI32, kI64 };

std::string_view to_string(StoredDType dtype);  // "F32"
int64_t byte_size(StoredDType dtype);
// Bytes a tensor of this shape and dtype holds; -1 for a shape with a symbolic or negative
// dimension, or too large to count in 64 bits: no file holds such a tensor.
int64_t expected_bytes(const graph::Shape& shape, StoredDType dtype);

// One tensor as the file holds it.
struct StoredTensor {
  StoredDType dtype = StoredDType::kF32;
  graph::Shape shape;
  std::vector<unsigned char> bytes;  // shape.num_elements() × byte_size(dtype)
};

// A whole file. std::map keeps the tensors in name order, the order they are written in.
struct SafetensorsContent {
  std::map<std::string, StoredTensor, std::less<>> tensors;
  std::map<std::string, std::string, std::less<>> metadata;
};

// T is float, double, int32_t or int64_t (F32, F64, I32, I64).
template <typename T>
StoredTensor to_stored(std::span<const T> values, const graph::Shape& shape);
template <typename T>
StoredTensor to_stored(const ops::Tensor<T>& t) {
  return to_stored(std::span<const T>(t.data), t.shape);
}

// The values as T. F32 and F64 convert into each other (rounding to nearest), I32 and I64
// too (an I64 value outside int32's range is an error); floats and integers never mix.
// Errors name `what` (e.g. "file.safetensors: tensor 'emb.embeddings'").
template <typename T>
std::vector<T> stored_values(const StoredTensor& t, std::string_view what);

std::vector<unsigned char> serialize_safetensors(const SafetensorsContent& content);
// `file` only names the source in messages.
SafetensorsContent parse_safetensors(std::span<const unsigned char> bytes, std::string_view file);

void write_safetensors(const std::string& path, const SafetensorsContent& content);
SafetensorsContent read_safetensors(const std::string& path);

}  // namespace twinflow::runtime
