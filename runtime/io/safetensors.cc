#include "runtime/io/safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "runtime/io/atomic_file.h"

namespace twinflow::runtime {

namespace {

using Json = nlohmann::json;

template <typename T>
constexpr StoredDType stored_dtype_of() {
  if constexpr (std::is_same_v<T, float>) return StoredDType::kF32;
  if constexpr (std::is_same_v<T, double>) return StoredDType::kF64;
  if constexpr (std::is_same_v<T, int32_t>) return StoredDType::kI32;
  if constexpr (std::is_same_v<T, int64_t>) return StoredDType::kI64;
}

template <typename S>
std::vector<S> raw_values(const StoredTensor& t) {
  std::vector<S> values(t.bytes.size() / sizeof(S));
  if (!values.empty()) std::memcpy(values.data(), t.bytes.data(), values.size() * sizeof(S));
  return values;
}

template <typename T, typename S>
std::vector<T> converted(const StoredTensor& t, std::string_view what) {
  std::vector<S> raw = raw_values<S>(t);
  if constexpr (std::is_same_v<T, S>) {
    return raw;
  } else {
    std::vector<T> values(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      if constexpr (std::is_integral_v<T> && sizeof(T) < sizeof(S)) {
        if (raw[i] < std::numeric_limits<T>::min() || raw[i] > std::numeric_limits<T>::max())
          throw SafetensorsError(fmt::format("{}: value {} at index {} does not fit in {}", what,
                                             raw[i], i, sizeof(T) == 4 ? "int32" : "int64"));
      }
      values[i] = static_cast<T>(raw[i]);
    }
    return values;
  }
}

void append_le64(std::vector<unsigned char>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

// The JSON header, without padding; tensors get consecutive offsets in name order.
std::string header_text(const SafetensorsContent& content) {
  Json header = Json::object();
  int64_t offset = 0;
  for (const auto& [name, t] : content.tensors) {
    if (name == "__metadata__")
      throw SafetensorsError("a tensor cannot be named '__metadata__' (the header reserves it)");
    const int64_t size = expected_bytes(t.shape, t.dtype);
    if (size < 0 || static_cast<size_t>(size) != t.bytes.size())
      throw SafetensorsError(fmt::format("tensor '{}': {} bytes of data for shape {} of {}", name,
                                         t.bytes.size(), t.shape.to_string(), to_string(t.dtype)));
    header[name] = {{"dtype", to_string(t.dtype)},
                    {"shape", t.shape.dims()},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  if (!content.metadata.empty()) header["__metadata__"] = content.metadata;
  try {
    return header.dump();
  } catch (const Json::type_error&) {
    throw SafetensorsError("a tensor name or a metadata string is not valid UTF-8");
  }
}

}  // namespace

std::string_view to_string(StoredDType dtype) {
  switch (dtype) {
    case StoredDType::kF32:
      return "F32";
    case StoredDType::kF64:
      return "F64";
    case StoredDType::kI32:
      return "I32";
    case StoredDType::kI64:
      return "I64";
  }
  return "?";
}

int64_t byte_size(StoredDType dtype) {
  return dtype == StoredDType::kF64 || dtype == StoredDType::kI64 ? 8 : 4;
}

int64_t expected_bytes(const graph::Shape& shape, StoredDType dtype) {
  const std::vector<int64_t>& dims = shape.dims();
  if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 0; })) return -1;
  // A zero dimension empties the tensor, however large the others: [429, 967296, 2^32, 0] is
  // empty and must be read and written alike.
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) return 0;
  int64_t n = byte_size(dtype);
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n)) return -1;
  return n;
}

template <typename T>
StoredTensor to_stored(std::span<const T> values, const graph::Shape& shape) {
  if (!shape.is_concrete() || shape.num_elements() != static_cast<int64_t>(values.size()))
    throw SafetensorsError(
        fmt::format("{} values do not fill shape {}", values.size(), shape.to_string()));
  StoredTensor t{stored_dtype_of<T>(), shape, std::vector<unsigned char>(values.size_bytes())};
  if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), values.size_bytes());
  return t;
}

template <typename T>
std::vector<T> stored_values(const StoredTensor& t, std::string_view what) {
  const int64_t size = expected_bytes(t.shape, t.dtype);
  if (size < 0 || static_cast<size_t>(size) != t.bytes.size())
    throw SafetensorsError(fmt::format("{}: {} bytes of data for shape {} of {}", what,
                                       t.bytes.size(), t.shape.to_string(), to_string(t.dtype)));
  constexpr bool want_float = std::is_floating_point_v<T>;
  switch (t.dtype) {
    case StoredDType::kF32:
      if constexpr (want_float) return converted<T, float>(t, what);
      break;
    case StoredDType::kF64:
      if constexpr (want_float) return converted<T, double>(t, what);
      break;
    case StoredDType::kI32:
      if constexpr (!want_float) return converted<T, int32_t>(t, what);
      break;
    case StoredDType::kI64:
      if constexpr (!want_float) return converted<T, int64_t>(t, what);
      break;
  }
  throw SafetensorsError(fmt::format("{}: holds {} values, {} values were expected", what,
                                     to_string(t.dtype),
                                     want_float ? "floating-point" : "integer"));
}

std::vector<unsigned char> serialize_safetensors(const SafetensorsContent& content) {
  std::string header = header_text(content);
  header.append((8 - header.size() % 8) % 8, ' ');  // the data then starts 8-byte aligned
  size_t data_size = 0;
  for (const auto& entry : content.tensors) data_size += entry.second.bytes.size();
  std::vector<unsigned char> out;
  out.reserve(8 + header.size() + data_size);
  append_le64(out, header.size());
  out.insert(out.end(), header.begin(), header.end());
  for (const auto& entry : content.tensors)
    out.insert(out.end(), entry.second.bytes.begin(), entry.second.bytes.end());
  return out;
}

void write_safetensors(const std::string& path, const SafetensorsContent& content) {
  std::vector<unsigned char> bytes;
  try {
    bytes = serialize_safetensors(content);
  } catch (const SafetensorsError& e) {
    throw SafetensorsError(fmt::format("{}: {}", path, e.what()));
  }
  write_file_atomically(path, bytes);
}

SafetensorsContent read_safetensors(const std::string& path) {
  return parse_safetensors(read_file_bytes(path), path);
}

template StoredTensor to_stored<float>(std::span<const float>, const graph::Shape&);
template StoredTensor to_stored<double>(std::span<const double>, const graph::Shape&);
template StoredTensor to_stored<int32_t>(std::span<const int32_t>, const graph::Shape&);
template StoredTensor to_stored<int64_t>(std::span<const int64_t>, const graph::Shape&);
template std::vector<float> stored_values<float>(const StoredTensor&, std::string_view);
template std::vector<double> stored_values<double>(const StoredTensor&, std::string_view);
template std::vector<int32_t> stored_values<int32_t>(const StoredTensor&, std::string_view);
template std::vector<int64_t> stored_values<int64_t>(const StoredTensor&, std::string_view);

}  // namespace twinflow::runtime
