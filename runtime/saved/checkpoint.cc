#include "runtime/saved/checkpoint.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "runtime/io/atomic_file.h"

namespace twinflow::runtime {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCheckpointsDir = "checkpoints";

// Zero-padded, so that a listing shows checkpoints in the order they were made.
std::string checkpoint_name(int64_t step) { return fmt::format("step-{:09d}", step); }

}  // namespace

std::string begin_checkpoint(const std::string& dir, int64_t step) {
  const fs::path path = fs::path(dir) / kCheckpointsDir / checkpoint_name(step);
  std::error_code error;
  fs::remove_all(path, error);
  if (error)
    throw FileError(fmt::format("{}: cannot remove an unfinished checkpoint: {}", path.string(),
                                error.message()));
  fs::create_directories(path, error);
  if (error)
    throw FileError(fmt::format("{}: cannot create it: {}", path.string(), error.message()));
  return path.string();
}

void commit_checkpoint(const std::string& dir, const std::string& checkpoint, TrainState state,
                       const char* use) {
  sync_directory(checkpoint);
  sync_directory(dir_file(dir, kCheckpointsDir));
  const fs::path name = fs::path(checkpoint).filename();
  state.checkpoint = (fs::path(kCheckpointsDir) / name).string();
  link_file_atomically(dir_file(checkpoint, use), dir_file(dir, "weights.safetensors"));
  write_state(dir, state);
  remove_unnamed_checkpoints(dir, state);
}

// A failure to remove one costs disk space, not data: the next save tries again.
void remove_unnamed_checkpoints(const std::string& dir, const TrainState& state) {
  remove_stray_temporaries(dir);
  if (state.checkpoint.empty()) return;  // a run saved before checkpoints had a directory
  const fs::path name = fs::path(state.checkpoint).filename();
  std::error_code error;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(dir_file(dir, kCheckpointsDir), error))
    if (entry.path().filename() != name) fs::remove_all(entry.path(), error);
}

CheckpointFiles checkpoint_files(const std::string& dir, const TrainState& state) {
  if (state.checkpoint.empty())
    return {dir_file(dir, "checkpoint.safetensors"), dir_file(dir, "weights.safetensors"),
            dir_file(dir, "optimizer.safetensors")};
  const fs::path relative(state.checkpoint);
  const fs::path path = fs::path(dir) / relative;
  if (relative.is_absolute() || relative.parent_path() != kCheckpointsDir ||
      relative.filename() == ".." || relative.filename() == ".")
    throw ModelDirError(
        fmt::format("{}: \"checkpoint\" must name a directory in {}/checkpoints/, found '{}'",
                    dir_file(dir, "state.json"), dir, state.checkpoint));
  if (!fs::is_directory(path))
    throw ModelDirError(fmt::format("{}: names the checkpoint {}, which is missing",
                                    dir_file(dir, "state.json"), path.string()));
  return {(path / kLastWeightsFile).string(), (path / kBestWeightsFile).string(),
          (path / kOptimizerFile).string()};
}

std::string weights_of_checkpoint(const std::string& dir, const TrainState& state) {
  if (state.checkpoint.empty()) return "weights.safetensors";
  checkpoint_files(dir, state);  // refuses a name outside DIR/checkpoints/, or a missing one
  const fs::path best = fs::path(state.checkpoint) / kBestWeightsFile;
  if (fs::exists(fs::path(dir) / best)) return best.string();
  return (fs::path(state.checkpoint) / kLastWeightsFile).string();
}

}  // namespace twinflow::runtime
