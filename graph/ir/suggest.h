// graph/ir/suggest.h — "did you mean" hints for unknown names (functions, arguments, YAML keys).
//
// The hint is the candidate nearest by edit distance, compared case-insensitively, and only
// when it is close enough to be a plausible typo: a name unlike every candidate gets no hint,
// because a far-fetched suggestion misleads more than it helps.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace twinflow::graph {

// Levenshtein distance: the fewest single-character insertions, deletions and substitutions
// that turn a into b.
int edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to name when at most about a third of the longer name differs
// (3·distance ≤ longer length + 1); ties go to the earlier candidate.
std::optional<std::string> nearest_name(std::string_view name,
                                        std::span<const std::string> candidates);

// " (did you mean 'cosine'?)", or "" when no candidate is close.
std::string did_you_mean(std::string_view name, std::span<const std::string> candidates);

}  // namespace twinflow::graph
