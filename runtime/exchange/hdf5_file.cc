#include "runtime/exchange/hdf5_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace twinflow::runtime {

namespace {

// HDF5 prints a stack of errors to stderr on every failed call; failures are reported here.
void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Hdf5Handle string_type(size_t size) {
  Hdf5Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.id(), size);
  H5Tset_strpad(t.id(), H5T_STR_NULLPAD);
  return t;
}

hsize_t points(hid_t space) { return static_cast<hsize_t>(H5Sget_simple_extent_npoints(space)); }

}  // namespace

void Hdf5File::fail(const std::string& what) const {
  throw Hdf5Error(fmt::format("{}: {}", path_, what));
}

Hdf5File Hdf5File::open(const std::string& path) {
  quiet();
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Hdf5Error(fmt::format("{}: not an HDF5 file (or it cannot be read)", path));
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw Hdf5Error(fmt::format("{}: cannot open the HDF5 file", path));
  return Hdf5File(path, id);
}

Hdf5File Hdf5File::create(const std::string& path) {
  quiet();
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) throw Hdf5Error(fmt::format("{}: cannot create the file", path));
  return Hdf5File(path, id);
}

bool Hdf5File::has(hid_t at, const std::string& name) const {
  return H5Lexists(at, name.c_str(), H5P_DEFAULT) > 0;
}

Hdf5Handle Hdf5File::group(hid_t at, const std::string& name) const {
  Hdf5Handle g(H5Gopen2(at, name.c_str(), H5P_DEFAULT), H5Gclose);
  if (g.id() < 0) fail(fmt::format("no group '{}'", name));
  return g;
}

Hdf5Handle Hdf5File::create_group(hid_t at, const std::string& name) const {
  Hdf5Handle g(H5Gcreate2(at, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (g.id() < 0) fail(fmt::format("cannot create group '{}'", name));
  return g;
}

void Hdf5File::write_strings(hid_t at, const std::string& name,
                             const std::vector<std::string>& items) const {
  size_t width = 1;
  for (const std::string& s : items) width = std::max(width, s.size());
  std::string buffer(items.size() * width, '\0');
  for (size_t i = 0; i < items.size(); ++i) buffer.replace(i * width, items[i].size(), items[i]);
  const hsize_t n = items.size();
  const Hdf5Handle type = string_type(width);
  const Hdf5Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  const Hdf5Handle attr(
      H5Acreate2(at, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (attr.id() < 0 || H5Awrite(attr.id(), type.id(), buffer.data()) < 0)
    fail(fmt::format("cannot write attribute '{}'", name));
}

void Hdf5File::write_string(hid_t at, const std::string& name, const std::string& value) const {
  const Hdf5Handle type = string_type(std::max<size_t>(value.size(), 1));
  const Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Hdf5Handle attr(
      H5Acreate2(at, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  std::string buffer = value;
  buffer.resize(std::max<size_t>(value.size(), 1), '\0');
  if (attr.id() < 0 || H5Awrite(attr.id(), type.id(), buffer.data()) < 0)
    fail(fmt::format("cannot write attribute '{}'", name));
}

std::vector<std::string> Hdf5File::read_strings(hid_t at, const std::string& name) const {
  if (H5Aexists(at, name.c_str()) <= 0) {
    // Keras splits a list too long for one attribute into name0, name1, ...
    std::vector<std::string> all;
    for (int k = 0; H5Aexists(at, fmt::format("{}{}", name, k).c_str()) > 0; ++k) {
      const std::vector<std::string> part = read_strings(at, fmt::format("{}{}", name, k));
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }
  const Hdf5Handle attr(H5Aopen(at, name.c_str(), H5P_DEFAULT), H5Aclose);
  const Hdf5Handle type(H5Aget_type(attr.id()), H5Tclose);
  const Hdf5Handle space(H5Aget_space(attr.id()), H5Sclose);
  const size_t n = points(space.id());
  std::vector<std::string> out;
  if (H5Tget_class(type.id()) != H5T_STRING) {
    if (n == 0) return out;  // numpy writes an empty list as an empty float array
    fail(fmt::format("attribute '{}' is not a list of strings", name));
  }
  if (H5Tis_variable_str(type.id()) > 0) {
    Hdf5Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id(), H5T_VARIABLE);
    std::vector<char*> items(n, nullptr);
    if (H5Aread(attr.id(), mem.id(), items.data()) < 0)
      fail(fmt::format("cannot read attribute '{}'", name));
    for (char* s : items) out.emplace_back(s ? s : "");
    H5Dvlen_reclaim(mem.id(), space.id(), H5P_DEFAULT, items.data());
    return out;
  }
  const size_t width = H5Tget_size(type.id());
  std::string buffer(n * width, '\0');
  if (H5Aread(attr.id(), type.id(), buffer.data()) < 0)
    fail(fmt::format("cannot read attribute '{}'", name));
  for (size_t i = 0; i < n; ++i) {
    std::string s = buffer.substr(i * width, width);
    s.resize(std::strlen(s.c_str()));
    out.push_back(std::move(s));
  }
  return out;
}

void Hdf5File::write_array(hid_t at, const std::string& name, const std::vector<int64_t>& dims,
                           const std::vector<double>& values, bool as_double) const {
  std::vector<hsize_t> extent(dims.begin(), dims.end());
  const Hdf5Handle space(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr),
                         H5Sclose);
  const Hdf5Handle links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(links.id(), 1);
  const Hdf5Handle set(H5Dcreate2(at, name.c_str(), as_double ? H5T_IEEE_F64LE : H5T_IEEE_F32LE,
                                  space.id(), links.id(), H5P_DEFAULT, H5P_DEFAULT),
                       H5Dclose);
  herr_t status = -1;
  if (set.id() >= 0 && as_double) {
    status = H5Dwrite(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  } else if (set.id() >= 0) {
    const std::vector<float> floats(values.begin(), values.end());
    status = H5Dwrite(set.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, floats.data());
  }
  if (status < 0) fail(fmt::format("cannot write dataset '{}'", name));
}

Hdf5Array Hdf5File::read_array(hid_t at, const std::string& name) const {
  const Hdf5Handle set(H5Dopen2(at, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (set.id() < 0) fail(fmt::format("no dataset '{}'", name));
  const Hdf5Handle type(H5Dget_type(set.id()), H5Tclose);
  if (H5Tget_class(type.id()) != H5T_FLOAT)
    fail(fmt::format("dataset '{}' does not hold floating-point numbers", name));
  const Hdf5Handle space(H5Dget_space(set.id()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  std::vector<hsize_t> extent(static_cast<size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.id(), extent.data(), nullptr);
  Hdf5Array out;
  out.dims.assign(extent.begin(), extent.end());
  out.is_double = H5Tget_size(type.id()) > sizeof(float);
  out.values.resize(points(space.id()));
  if (H5Dread(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
    fail(fmt::format("cannot read dataset '{}'", name));
  return out;
}

}  // namespace twinflow::runtime
