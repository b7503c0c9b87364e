#include "graph/ir/suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace twinflow::graph {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

int edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table at a time: row[j] = distance(a[0, i), b[0, j)).
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

std::optional<std::string> nearest_name(std::string_view name,
                                        std::span<const std::string> candidates) {
  std::string folded(name);
  std::transform(folded.begin(), folded.end(), folded.begin(), lower);
  std::optional<std::string> best;
  int best_distance = 0;
  for (const std::string& candidate : candidates) {
    std::string other = candidate;
    std::transform(other.begin(), other.end(), other.begin(), lower);
    const int d = edit_distance(folded, other);
    const int longer = static_cast<int>(std::max(folded.size(), other.size()));
    if (3 * d > longer + 1) continue;
    if (!best || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view name, std::span<const std::string> candidates) {
  const std::optional<std::string> hint = nearest_name(name, candidates);
  return hint ? " (did you mean '" + *hint + "'?)" : std::string();
}

}  // namespace twinflow::graph
