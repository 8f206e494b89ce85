#include "detectors/prefiltered_set.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/result.h"

namespace earshot {
namespace {

bool HasNonAscii(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Whether `text` holds a character that RE2's case folding maps onto an ASCII letter (KELVIN
// SIGN to k, LATIN SMALL LETTER LONG S to s): ASCII folding would hide a literal there.
bool FoldsIntoAscii(std::string_view text) {
  return text.find("\xE2\x84\xAA") != std::string_view::npos ||
         text.find("\xC5\xBF") != std::string_view::npos;
}

Result<std::unique_ptr<RE2::Set>> CompileSet(const std::vector<std::string>& patterns,
                                             const std::vector<int>& ids, int64_t max_mem,
                                             size_t total) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(max_mem);
  auto set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  for (int id : ids) {
    const std::string& pattern = patterns[static_cast<size_t>(id)];
    std::string error;
    if (set->Add(pattern, &error) < 0) {
      return Status::Internal(
          fmt::format("regex '{}' compiled alone but not in the set: {}", pattern, error));
    }
  }
  if (!set->Compile()) {
    return Status::ResourceExhausted(fmt::format(
        "the {} regexes of the rule set need more RE2 memory than re2_max_mem_total ({} MiB); "
        "raise it or remove rules",
        total, max_mem >> 20));
  }
  return set;
}

void RunSet(const RE2::Set& set, std::string_view text, std::vector<int>* out,
            std::atomic<uint64_t>* dfa_failures) {
  RE2::Set::ErrorInfo info{};
  if (!set.Match(re2::StringPiece(text.data(), text.size()), out, &info) &&
      info.kind == RE2::Set::kOutOfMemory) {
    dfa_failures->fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

Status PrefilteredSet::Build(const std::vector<std::string>& patterns, int64_t max_mem_per_regex,
                             int64_t max_mem_total) {
  if (patterns.empty()) return Status::Ok();
  std::vector<int> all(patterns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  auto whole = CompileSet(patterns, all, max_mem_total, patterns.size());
  if (!whole.ok()) return whole.status();

  // Literals shorter than this occur in most texts and would filter nothing.
  constexpr int kMinLiteral = 3;
  auto prefilter = std::make_unique<re2::FilteredRE2>(kMinLiteral);
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(max_mem_per_regex);
  for (const std::string& pattern : patterns) {
    int id = -1;
    if (prefilter->Add(pattern, opts, &id) != RE2::NoError) {
      return Status::Internal(
          fmt::format("regex '{}' compiled alone but not in the prefilter", pattern));
    }
  }
  std::vector<std::string> literals;
  prefilter->Compile(&literals);
  // Given no literal, the prefilter names exactly the regexes it cannot filter.
  prefilter->AllPotentials({}, &unfiltered_ids_);
  unfiltered_.assign(patterns.size(), false);
  for (int id : unfiltered_ids_) unfiltered_[static_cast<size_t>(id)] = true;
  if (!unfiltered_ids_.empty()) {
    auto set = CompileSet(patterns, unfiltered_ids_, max_mem_total, patterns.size());
    if (!set.ok()) return set.status();
    unfiltered_set_ = std::move(*set);
  }
  // The pass folds ASCII only, so a literal outside ASCII (a curly apostrophe, "café") is taken
  // as present in every text (an empty literal): the regexes needing it run, never missed.
  for (std::string& literal : literals) {
    if (HasNonAscii(literal)) literal.clear();
  }
  literals_ = LiteralScanner(literals);
  prefilter_ = std::move(prefilter);
  whole_ = std::move(*whole);
  return Status::Ok();
}

void PrefilteredSet::Match(std::string_view text, std::vector<int>* matched,
                           std::atomic<uint64_t>* dfa_failures) const {
  matched->clear();
  if (whole_ == nullptr) return;
  if (FoldsIntoAscii(text)) {
    RunSet(*whole_, text, matched, dfa_failures);
    return;
  }
  if (unfiltered_set_ != nullptr) {
    RunSet(*unfiltered_set_, text, matched, dfa_failures);
    for (int& i : *matched) i = unfiltered_ids_[static_cast<size_t>(i)];
  }
  thread_local std::vector<int> found, potentials;
  literals_.Scan(text, &found);
  if (found.empty()) return;
  prefilter_->AllPotentials(found, &potentials);
  const re2::StringPiece piece(text.data(), text.size());
  for (int id : potentials) {
    if (unfiltered_[static_cast<size_t>(id)]) continue;  // judged by its set above
    if (prefilter_->GetRE2(id).Match(piece, 0, piece.size(), RE2::UNANCHORED, nullptr, 0)) {
      matched->push_back(id);
    }
  }
}

}  // namespace earshot
