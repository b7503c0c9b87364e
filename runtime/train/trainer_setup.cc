// The trainer's setup: data, vocabulary, starting weights, resuming (runtime/train/trainer.h).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <random>

#include "graph/ir/attrs.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/io/sha256.h"
#include "runtime/io/weights_file.h"
#include "runtime/saved/checkpoint.h"
#include "runtime/saved/resume_check.h"
#include "runtime/text/pretrained.h"
#include "runtime/train/trainer.h"

namespace twinflow::runtime {

namespace {

std::string absolute_from(const std::filesystem::path& base, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (base / path).lexically_normal().string();
}

// The smallest Embedding table of the spec: every vocabulary id must fit all of them.
int64_t smallest_embedding(const graph::ModelSpec& spec) {
  int64_t smallest = 0;
  for (const graph::LayerSpec& layer : spec.layers)
    if (layer.op == "Embedding") {
      const int64_t v = std::any_cast<const graph::EmbeddingAttrs&>(layer.attrs).vocab;
      smallest = smallest == 0 ? v : std::min(smallest, v);
    }
  return smallest;
}

// Data given as token ids only (runtime/data/array_dataset.h) have nothing to read.
TrainData read_train_data(const graph::ModelSpec& spec, const TrainOptions& options) {
  const graph::TrainSpec& train = spec.train;
  if (train.data.empty())
    throw graph::RuntimeInputError("no training data: give --data FILE or train: {data: FILE}");
  const TsvOptions tsv{.skip_bad_rows = options.skip_bad_rows};
  const std::vector<ColumnSpec> columns = input_columns(spec);
  TrainData data{read_tsv(train.data, columns, tsv), std::nullopt, std::nullopt};
  if (!train.val.empty()) data.val = read_tsv(train.val, columns, tsv);
  return data;
}

// A model without a loss has nothing to train: said before any data is read.
void refuse_tower(const graph::Model& model) {
  if (model_roles(model).family == ModelFamily::kTower)
    throw graph::RuntimeInputError(fmt::format(
        "model '{}' has no loss: it cannot be trained (it is a tower of its own: embed, similar "
        "and eval --retrieval use it)",
        model.spec.name));
}

// Read by every process of the run; a file one of them cannot read stops them all.
TrainData read_train_data_together(const graph::Model& model, const TrainOptions& options) {
  TrainData data;
  together(options.processes != nullptr ? *options.processes : alone(), [&] {
    refuse_tower(model);
    data = read_train_data(model.spec, options);
  });
  return data;
}

std::string coverage(const Dataset& data) {
  if (!data.has_text()) return "token ids";
  int64_t tokens = 0, unknown = 0;
  for (const DataColumn& c : data.columns)
    if (c.is_text()) {
      tokens += c.stats.tokens - c.stats.cut_tokens;
      unknown += c.stats.unknown;
    }
  const double known = tokens > 0 ? 100.0 * static_cast<double>(tokens - unknown) / tokens : 0.0;
  return fmt::format("{:.1f}% of tokens in the vocabulary", known);
}

}  // namespace

void resolve_spec_paths(graph::ModelSpec& spec) {
  const std::filesystem::path base = spec.file.empty()
                                         ? std::filesystem::current_path()
                                         : std::filesystem::absolute(spec.file).parent_path();
  for (std::string* path : {&spec.train.data, &spec.train.val, &spec.train.test})
    *path = absolute_from(base, *path);
  for (graph::LayerSpec& layer : spec.layers)
    if (layer.pretrained) layer.pretrained->file = absolute_from(base, layer.pretrained->file);
}

template <typename T>
Trainer<T>::Trainer(const graph::Model& model, TrainOptions options, TrainObserver observer)
    : Trainer(model, read_train_data_together(model, options), options, std::move(observer)) {}

template <typename T>
Trainer<T>::Trainer(const graph::Model& model, TrainData data, TrainOptions options,
                    TrainObserver observer)
    : model_(model),
      train_spec_(model.spec.train),
      options_(std::move(options)),
      observer_(std::move(observer)),
      processes_(options_.processes != nullptr ? *options_.processes : alone()),
      roles_(model_roles(model)),
      monitor_(monitor_of(model.spec, roles_)),
      columns_(input_columns(model.spec)),
      train_(std::move(data.train)),
      val_(std::move(data.val)),
      params_(*model.graph, static_cast<uint64_t>(train_spec_.seed)),
      executor_(*model.graph, params_, stacking_of(train_spec_)) {
  together(processes_, [&] { setup(std::move(data.vocab)); });
  check_same_setup();
  if (processes_.size() > 1)
    exchange_ = std::make_unique<GradientExchange<T>>(*model.graph, executor_.tape(), roles_.loss,
                                                      params_, processes_);
}

template <typename T>
void Trainer<T>::setup(std::optional<Vocabulary> vocab) {
  refuse_tower(model_);
  if (options_.accumulate < 1) throw graph::RuntimeInputError("--accumulate must be at least 1");
  setup_vocabulary(std::move(vocab));
  train_.encode(vocab_, model_.subword_inputs);
  if (val_) val_->encode(vocab_, model_.subword_inputs);
  say(fmt::format("data: {} training rows ({}){}", train_.rows(), coverage(train_),
                  val_ ? fmt::format(", {} validation rows ({})", val_->rows(), coverage(*val_))
                       : std::string(", no validation file")));
  for (const Dataset* d : {&train_, val_ ? &*val_ : nullptr})
    if (d != nullptr && d->skipped_rows > 0)
      warn(fmt::format("{}: skipped {} bad rows; first: {}", d->file, d->skipped_rows,
                       d->skipped_messages.empty() ? "" : d->skipped_messages.front()));
  const int64_t batches = (train_.rows() + train_spec_.batch_size - 1) / train_spec_.batch_size;
  optimizer_ = make_optimizer<T>(
      train_spec_.optimizer,
      train_spec_.optimizer.schedule
          ? schedule_for_run(*train_spec_.optimizer.schedule, batches, train_spec_.epochs)
          : LrSchedule{});
  if (roles_.family == ModelFamily::kTriplet && roles_.loss >= 0) {
    const graph::Node& loss = model_.graph->node(model_.graph->value(roles_.loss).producer);
    triplet_stats_ = ops::triplet_stats_options(loss.op->name, loss.attrs);
    if (triplet_stats_) triplet_pred_ = loss.inputs.front();
  }
  state_.seed = static_cast<uint64_t>(train_spec_.seed);
  state_.monitor = monitor_.metric;
  state_.dtype = sizeof(T) == sizeof(double) ? "float64" : "float32";
  state_.inputs = hash_inputs(train_spec_);
  load_pretrained_tables();
  load_init_weights();
  if (!options_.resume_dir.empty()) resume();
}

// Every process must train the same model on the same data with the same vocabulary: each
// process's digest of the spec as emitted, the vocabulary and the data files is compared.
template <typename T>
void Trainer<T>::check_same_setup() {
  if (processes_.size() == 1) return;
  std::string setup = graph::emit_spec(model_.spec);
  for (const std::string& token : vocab_.tokens()) setup += token + "\n";
  for (const InputFile& f : state_.inputs) setup += f.role + f.sha256;
  const std::string digest = sha256_hex(setup);
  const int64_t own = static_cast<int64_t>(std::stoull(digest.substr(0, 15), nullptr, 16));
  const std::vector<int64_t> all = processes_.gather(std::span<const int64_t>(&own, 1));
  for (size_t rank = 0; rank < all.size(); ++rank)
    if (all[rank] != all[0])
      throw graph::RuntimeInputError(fmt::format(
          "process {} of {} has another spec, vocabulary or data than process 0: every process "
          "of a run must be given the same",
          rank, all.size()));
}

template <typename T>
void Trainer<T>::setup_vocabulary(std::optional<Vocabulary> given) {
  const int64_t max_size = smallest_embedding(model_.spec);
  if (given) {
    if (max_size > 0 && given->size() > max_size)
      throw graph::RuntimeInputError(
          fmt::format("the vocabulary's {} ids (with padding and out-of-vocabulary) do not fit "
                      "an Embedding of vocab {}",
                      given->size(), max_size));
    vocab_ = std::move(*given);
    say(fmt::format("vocabulary: {} ids, the model's", vocab_.size()));
    return;
  }
  // A resumed run keeps its vocabulary: its embedding rows are indexed by it.
  if (options_.vocab_file.empty() && !options_.resume_dir.empty())
    options_.vocab_file = dir_file(options_.resume_dir, "vocab.txt");
  if (!options_.vocab_file.empty()) {
    vocab_ = Vocabulary::read(options_.vocab_file);
    if (max_size > 0 && vocab_.size() > max_size)
      throw graph::RuntimeInputError(fmt::format(
          "{}: {} ids (with padding and out-of-vocabulary) do not fit an Embedding of vocab {}",
          options_.vocab_file, vocab_.size(), max_size));
    say(fmt::format("vocabulary: {} ids from {}", vocab_.size(), options_.vocab_file));
    return;
  }
  if (!train_.has_text()) {
    if (val_ && val_->has_text())
      throw graph::RuntimeInputError(
          "the training data are token ids and the validation data texts, which need a "
          "vocabulary: give both as ids, or a vocabulary");
    say("vocabulary: none, the data are token ids");
    return;
  }
  TokenCounts counts;
  train_.count_tokens(counts);
  vocab_ = Vocabulary::build(counts, 1, max_size);
  say(fmt::format("vocabulary: {} ids built from {} distinct training tokens (max {})",
                  vocab_.size(), counts.counts().size(), max_size));
}

template <typename T>
void Trainer<T>::load_pretrained_tables() {
  std::mt19937_64 rng(state_.seed);
  for (const graph::LayerSpec& layer : model_.spec.layers) {
    if (!layer.pretrained) continue;
    Parameter<T>* table = params_.find(layer.name + ".embeddings");
    if (table == nullptr)
      throw graph::RuntimeInputError(fmt::format("layer '{}': no embeddings table", layer.name));
    const Coverage c =
        load_pretrained(layer.pretrained->file, PretrainedOptions::from_spec(*layer.pretrained),
                        vocab_, table->data, rng);
    // Subword rows start at zero, so that every word starts exactly at its vector.
    const auto& attrs = std::any_cast<const graph::EmbeddingAttrs&>(layer.attrs);
    if (attrs.subwords)
      std::fill(table->data.data.begin() + attrs.vocab * attrs.dim, table->data.data.end(), T(0));
    say(fmt::format("{}: {}", layer.name, c.to_string()));
  }
}

template <typename T>
void Trainer<T>::load_init_weights() {
  if (options_.init_weights.empty()) return;
  const WeightsLoadReport report = load_weights(options_.init_weights, params_, LoadMode::kReport);
  if (!report.mismatched.empty())
    throw graph::RuntimeInputError(fmt::format("--init {}: shapes do not match: {}",
                                               options_.init_weights,
                                               fmt::join(report.mismatched, "; ")));
  if (!report.complete() && !options_.init_partial)
    throw graph::RuntimeInputError(
        fmt::format("--init {} does not hold exactly the model's parameters: {} (--init-partial "
                    "starts from the parameters it holds and keeps the rest at their initial "
                    "values)",
                    options_.init_weights, report.problems()));
  say(fmt::format("--init {}: {}", options_.init_weights, report.summary()));
  if (!report.missing.empty())
    say(fmt::format("--init-partial: kept at their initial values: {}",
                    fmt::join(report.missing, ", ")));
}

// The run must continue the same training (runtime/saved/resume_check.h); its checkpoint is
// read whole from the directory state.json names, so weights, best weights, optimizer state and
// counters all come from one step.
template <typename T>
void Trainer<T>::resume() {
  const std::string& dir = options_.resume_dir;
  const TrainState saved = read_state(dir);
  if (saved.dtype != state_.dtype)
    throw ModelDirError(fmt::format("{}: the run was trained in {}, resume it with --dtype {}", dir,
                                    saved.dtype, saved.dtype));
  std::vector<std::string> changes = spec_changes(load_model_dir(dir).model.spec, model_.spec);
  for (const std::string& change : input_changes(saved.inputs, state_.inputs))
    changes.push_back(change);
  if (const std::string run_vocab = dir_file(dir, "vocab.txt");
      options_.vocab_file != run_vocab && Vocabulary::read(run_vocab).tokens() != vocab_.tokens())
    changes.push_back(
        fmt::format("the vocabulary {} differs from the run's {}", options_.vocab_file, run_vocab));
  if (!changes.empty()) {
    std::string listed;
    for (const std::string& change : changes) listed += "\n  " + change;
    if (!options_.resume_anyway)
      throw ModelDirError(fmt::format(
          "--resume {}: the run would not continue the same training:{}\nResume with the spec "
          "and data it was trained on, or give --resume-anyway to continue regardless",
          dir, listed));
    warn(fmt::format("--resume-anyway: continuing {} although{}", dir, listed));
  }
  const CheckpointFiles files = checkpoint_files(dir, saved);
  if (processes_.is_root()) remove_unnamed_checkpoints(dir, saved);
  // A run that kept its last weights (`keep: last`, no validation split) saved no best ones.
  const bool saved_best = std::filesystem::exists(files.best);
  if (keeps_best() && saved_best) {
    load_weights(files.best, params_, LoadMode::kStrict);
    best_.clear();
    for (const Parameter<T>& p : params_.all()) best_.push_back(p.data);
    best_file_ = files.best;
  }
  load_weights(files.last, params_, LoadMode::kStrict);
  optimizer_->load_state(files.optimizer, params_);
  // log.jsonl is written before state.json: it may hold one epoch more than the checkpoint.
  log_lines_ = read_log(dir);
  log_lines_.resize(std::min(log_lines_.size(), static_cast<size_t>(saved.epoch)));
  const std::vector<InputFile> inputs = std::move(state_.inputs);
  state_ = saved;
  state_.inputs = inputs;
  if (state_.monitor != monitor_.metric || (keeps_best() && !saved_best)) {
    if (state_.best_epoch > 0)
      say(fmt::format("the run kept no best epoch by {}: the next epoch starts the count anew",
                      monitor_.metric));
    state_.monitor = monitor_.metric;
    state_.best_value = std::numeric_limits<double>::quiet_NaN();
    state_.best_epoch = 0;
    state_.stale_epochs = 0;
  }
  if (state_.batch > 0)
    say(fmt::format("resuming {} in epoch {} after batch {} (step {})", dir, state_.epoch + 1,
                    state_.batch, state_.step));
  else
    say(fmt::format("resuming {} after epoch {} (step {})", dir, state_.epoch, state_.step));
}

template <typename T>
Dataset Trainer<T>::load_data(const std::string& path) const {
  Dataset data = read_tsv(path, columns_, TsvOptions{.skip_bad_rows = options_.skip_bad_rows});
  data.encode(vocab_, model_.subword_inputs);
  return data;
}

template <typename T>
EvalResult Trainer<T>::evaluate(const Dataset& data, bool keep_towers) {
  return runtime::evaluate(roles_, executor_, data, train_spec_.batch_size, keep_towers,
                           processes_);
}

template <typename T>
void Trainer<T>::say(const std::string& text) const {
  if (observer_.info) observer_.info(text);
}

template <typename T>
void Trainer<T>::warn(const std::string& text) const {
  if (observer_.warning) observer_.warning(text);
}

// The members defined here; runtime/train/trainer.cc instantiates the rest of the class.
template Trainer<float>::Trainer(const graph::Model&, TrainOptions, TrainObserver);
template Trainer<double>::Trainer(const graph::Model&, TrainOptions, TrainObserver);
template Trainer<float>::Trainer(const graph::Model&, TrainData, TrainOptions, TrainObserver);
template Trainer<double>::Trainer(const graph::Model&, TrainData, TrainOptions, TrainObserver);
template Dataset Trainer<float>::load_data(const std::string&) const;
template Dataset Trainer<double>::load_data(const std::string&) const;
template EvalResult Trainer<float>::evaluate(const Dataset&, bool);
template EvalResult Trainer<double>::evaluate(const Dataset&, bool);
template void Trainer<float>::say(const std::string&) const;
template void Trainer<double>::say(const std::string&) const;
template void Trainer<float>::warn(const std::string&) const;
template void Trainer<double>::warn(const std::string&) const;
template void Trainer<float>::setup_vocabulary(std::optional<Vocabulary>);
template void Trainer<float>::load_pretrained_tables();
template void Trainer<float>::load_init_weights();
template void Trainer<float>::resume();
template void Trainer<float>::setup(std::optional<Vocabulary>);
template void Trainer<float>::check_same_setup();
template void Trainer<double>::setup_vocabulary(std::optional<Vocabulary>);
template void Trainer<double>::load_pretrained_tables();
template void Trainer<double>::load_init_weights();
template void Trainer<double>::resume();
template void Trainer<double>::setup(std::optional<Vocabulary>);
template void Trainer<double>::check_same_setup();

}  // namespace twinflow::runtime
