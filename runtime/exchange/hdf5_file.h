// runtime/exchange/hdf5_file.h — the little of HDF5 (the C library) that Keras weight files use:
// groups, string-list attributes and float datasets. Every handle closes itself; the library's
// own error printing is off, and each failure throws Hdf5Error naming the file and the object.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace twinflow::runtime {

class Hdf5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An open HDF5 object (file, group, dataset, ...), closed with the function it was opened for.
class Hdf5Handle {
 public:
  Hdf5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Hdf5Handle() {
    if (id_ >= 0) close_(id_);
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  hid_t id() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// A dataset's values (float or double in the file, read as double; exact for both) and dims.
struct Hdf5Array {
  std::vector<int64_t> dims;
  std::vector<double> values;
  bool is_double = false;  // 64-bit floats in the file
};

class Hdf5File {
 public:
  // Throws Hdf5Error when path is not an HDF5 file or cannot be opened or created.
  static Hdf5File open(const std::string& path);
  static Hdf5File create(const std::string& path);

  const std::string& path() const { return path_; }
  hid_t id() const { return file_.id(); }

  bool has(hid_t at, const std::string& name) const;
  Hdf5Handle group(hid_t at, const std::string& name) const;
  Hdf5Handle create_group(hid_t at, const std::string& name) const;

  // A list of strings, stored as Keras stores names: fixed-length, null-padded. Reading also
  // takes variable-length strings and lists split by Keras into name0, name1, ... when long.
  void write_strings(hid_t at, const std::string& name,
                     const std::vector<std::string>& items) const;
  void write_string(hid_t at, const std::string& name, const std::string& value) const;
  std::vector<std::string> read_strings(hid_t at, const std::string& name) const;

  // name may be a path ("bilstm/forward_lstm/lstm_cell/kernel:0"); groups on it are created.
  void write_array(hid_t at, const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<double>& values, bool as_double) const;
  Hdf5Array read_array(hid_t at, const std::string& name) const;

 private:
  Hdf5File(std::string path, hid_t id) : path_(std::move(path)), file_(id, H5Fclose) {}
  [[noreturn]] void fail(const std::string& what) const;
  std::string path_;
  Hdf5Handle file_;
};

}  // namespace twinflow::runtime
