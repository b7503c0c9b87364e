// Reading a safetensors file: every check that stands between a damaged file and a crash.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "runtime/io/safetensors.h"

namespace twinflow::runtime {

namespace {

using Json = nlohmann::json;

// The reference implementation's bound: a header this large is a corrupt length field.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// One tensor's header entry after its own checks; `begin`/`end` count from the data start.
struct Entry {
  std::string name;
  StoredTensor tensor;
  uint64_t begin = 0;
  uint64_t end = 0;
};

class HeaderReader {
 public:
  HeaderReader(std::string_view file, uint64_t data_size) : file_(file), data_size_(data_size) {}

  Json parse(std::string_view text) const;
  std::map<std::string, std::string, std::less<>> metadata(const Json& value) const;
  Entry entry(const std::string& name, const Json& value) const;
  void check_coverage(std::vector<Entry>& entries) const;

  [[noreturn]] void fail(const std::string& message) const {
    throw SafetensorsError(fmt::format("{}: {}", file_, message));
  }
  [[noreturn]] void fail(const std::string& tensor, const std::string& message) const {
    throw SafetensorsError(fmt::format("{}: tensor '{}': {}", file_, tensor, message));
  }

 private:
  StoredDType dtype(const std::string& name, const Json& value) const;
  graph::Shape shape(const std::string& name, const Json& value) const;

  std::string_view file_;
  uint64_t data_size_;
};

uint64_t read_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Rejects a key written twice in one object: a JSON library would silently keep one of them.
Json HeaderReader::parse(std::string_view text) const {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto watch = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == Json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == Json::parse_event_t::key && !open_objects.empty() && duplicate.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second)
      duplicate = parsed.get<std::string>();
    return true;
  };
  Json header;
  try {
    header = Json::parse(text.begin(), text.end(), watch);
  } catch (const Json::exception& e) {
    fail(fmt::format("the header is not valid JSON: {}", e.what()));
  }
  if (!duplicate.empty()) fail(fmt::format("the header names '{}' twice", duplicate));
  if (!header.is_object())
    fail(fmt::format("the header must be a JSON object, not {}", header.type_name()));
  return header;
}

std::map<std::string, std::string, std::less<>> HeaderReader::metadata(const Json& value) const {
  if (!value.is_object())
    fail(fmt::format("__metadata__ must be an object of strings, not {}", value.type_name()));
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string())
      fail(fmt::format("__metadata__ '{}' must be a string, not {}", key, v.type_name()));
    out.emplace(key, v.get<std::string>());
  }
  return out;
}

StoredDType HeaderReader::dtype(const std::string& name, const Json& value) const {
  if (!value.is_string())
    fail(name, fmt::format("dtype must be a string, not {}", value.type_name()));
  const std::string text = value.get<std::string>();
  for (StoredDType d : {StoredDType::kF32, StoredDType::kF64, StoredDType::kI32, StoredDType::kI64})
    if (to_string(d) == text) return d;
  static const std::set<std::string> kOtherSafetensorsTypes = {
      "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "U32", "U64"};
  if (kOtherSafetensorsTypes.count(text))
    fail(name, fmt::format("dtype {} is not supported (twinflow reads F32, F64, I32, I64)", text));
  fail(name, fmt::format("unknown dtype '{}' (expected F32, F64, I32 or I64)", text));
}

graph::Shape HeaderReader::shape(const std::string& name, const Json& value) const {
  if (!value.is_array())
    fail(name, fmt::format("shape must be an array, not {}", value.type_name()));
  std::vector<int64_t> dims;
  for (const Json& d : value) {
    if (!d.is_number_unsigned() ||
        d.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(name, fmt::format("shape {} must hold non-negative integers", value.dump()));
    dims.push_back(d.get<int64_t>());
  }
  if (dims.size() > static_cast<size_t>(graph::Shape::kMaxRank))
    fail(name,
         fmt::format("shape {} has more than {} dimensions", value.dump(), graph::Shape::kMaxRank));
  return graph::Shape(std::move(dims));
}

Entry HeaderReader::entry(const std::string& name, const Json& value) const {
  if (!value.is_object())
    fail(name, fmt::format("its entry must be an object, not {}", value.type_name()));
  for (const auto& item : value.items())
    if (item.key() != "dtype" && item.key() != "shape" && item.key() != "data_offsets")
      fail(name,
           fmt::format("unknown key '{}' (an entry has dtype, shape, data_offsets)", item.key()));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!value.contains(key)) fail(name, fmt::format("its entry has no '{}'", key));
  Entry e{name, {dtype(name, value["dtype"]), shape(name, value["shape"]), {}}, 0, 0};
  const Json& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail(name, fmt::format("data_offsets {} must be two non-negative integers [begin, end]",
                           offsets.dump()));
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  if (e.begin > e.end)
    fail(name, fmt::format("data_offsets [{}, {}] end before they begin", e.begin, e.end));
  if (e.end > data_size_)
    fail(name, fmt::format("data_offsets [{}, {}] go past the end of the data ({} bytes): the "
                           "file is truncated or the header is wrong",
                           e.begin, e.end, data_size_));
  const int64_t needed = expected_bytes(e.tensor.shape, e.tensor.dtype);
  if (needed < 0)
    fail(name, fmt::format("shape {} is impossibly large", e.tensor.shape.to_string()));
  if (e.end - e.begin != static_cast<uint64_t>(needed))
    fail(name, fmt::format("data_offsets [{}, {}] hold {} bytes, but shape {} of {} needs {}",
                           e.begin, e.end, e.end - e.begin, e.tensor.shape.to_string(),
                           to_string(e.tensor.dtype), needed));
  return e;
}

// The data must be covered exactly: no two tensors share a byte and no byte is left over.
void HeaderReader::check_coverage(std::vector<Entry>& entries) const {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < covered)
      fail(e.name, fmt::format("data_offsets [{}, {}] overlap tensor '{}' [{}, {}]", e.begin, e.end,
                               previous->name, previous->begin, previous->end));
    if (e.begin > covered)
      fail(fmt::format("data bytes [{}, {}) belong to no tensor (before tensor '{}')", covered,
                       e.begin, e.name));
    covered = e.end;
    if (e.end > e.begin) previous = &e;
  }
  if (covered != data_size_)
    fail(fmt::format("data bytes [{}, {}) after the last tensor belong to no tensor", covered,
                     data_size_));
}

}  // namespace

SafetensorsContent parse_safetensors(std::span<const unsigned char> bytes, std::string_view file) {
  if (bytes.size() < 8)
    throw SafetensorsError(fmt::format(
        "{}: truncated: {} bytes, but a safetensors file starts with an 8-byte header length", file,
        bytes.size()));
  const uint64_t header_size = read_le64(bytes.data());
  const uint64_t rest = bytes.size() - 8;
  const HeaderReader reader(file, header_size <= rest ? rest - header_size : 0);
  if (header_size > rest)
    reader.fail(
        fmt::format("header length {} is larger than the rest of the file ({} bytes): "
                    "the file is truncated or not a safetensors file",
                    header_size, rest));
  if (header_size > kMaxHeaderBytes)
    reader.fail(fmt::format("header length {} is over the limit of {} bytes", header_size,
                            kMaxHeaderBytes));
  const auto* text = reinterpret_cast<const char*>(bytes.data() + 8);
  const Json header = reader.parse(std::string_view(text, header_size));

  SafetensorsContent content;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__")
      content.metadata = reader.metadata(value);
    else
      entries.push_back(reader.entry(name, value));
  }
  reader.check_coverage(entries);
  const unsigned char* data = bytes.data() + 8 + header_size;
  for (Entry& e : entries) {
    e.tensor.bytes.assign(data + e.begin, data + e.end);
    content.tensors.emplace(std::move(e.name), std::move(e.tensor));
  }
  return content;
}

}  // namespace twinflow::runtime
