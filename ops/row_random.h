// ops/row_random.h — random numbers keyed by batch row, so that a row's dropout mask does not
// depend on the batch, the micro-batch or the process it is computed in.
//
// A forward pass has a seed (per training step) and, optionally, a key per batch row (its row
// number in the dataset). A kernel that draws per-row randomness seeds a RowRandom from (the
// pass's seed, its node, the row's key): the same row in the same step gets the same mask
// whether the batch was split into micro-batches or across processes.
#pragma once

#include <cstdint>
#include <limits>
#include <span>

namespace twinflow::ops {

// SplitMix64's finaliser: a well-mixed 64-bit value of its input.
constexpr uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t mix64(uint64_t a, uint64_t b) { return mix64(a ^ mix64(b)); }

// SplitMix64 as a UniformRandomBitGenerator: cheap to seed, one per row.
class RowRandom {
 public:
  using result_type = uint64_t;
  explicit RowRandom(uint64_t seed) : state_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_ - 0x9e3779b97f4a7c15ULL);
  }

 private:
  uint64_t state_;
};

// The randomness a forward pass gives its kernels.
struct RowSeeds {
  uint64_t seed = 0;                   // the pass's, mixed with the node's index
  std::span<const uint64_t> row_keys;  // per batch row; empty: row b's key is b
  // A call on several nodes' batches stacked along the rows (graph/ir/stacking.h): block k,
  // `block_rows` rows long, draws with block_seeds[k], the seed of the k-th node, so that
  // every row gets the mask it would get from its own node.
  std::span<const uint64_t> block_seeds;
  int64_t block_rows = 0;

  uint64_t key(int64_t row) const {
    return row_keys.empty() ? static_cast<uint64_t>(row) : row_keys[static_cast<size_t>(row)];
  }
  // The generator of one row, for a stream of the node (`stream` tells apart, e.g., the two
  // directions of a Bidirectional layer).
  RowRandom row(int64_t row, uint64_t stream = 0) const {
    if (block_seeds.empty()) return RowRandom(mix64(mix64(seed, stream), key(row)));
    const int64_t block = row / block_rows;
    return RowRandom(mix64(mix64(block_seeds[static_cast<size_t>(block)], stream),
                           key(row - block * block_rows)));
  }
};

}  // namespace twinflow::ops
