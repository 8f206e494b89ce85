#include "daemon/escalator/active_silences.h"

#include "daemon/base/log.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "escalator";

}  // namespace

void ActiveSilences::SetFile(std::vector<FileSilence> silences) {
  auto next = std::make_shared<const std::vector<FileSilence>>(std::move(silences));
  MutexLock lock(file_mu_);
  file_ = std::move(next);
}

size_t ActiveSilences::file_count() const {
  MutexLock lock(file_mu_);
  return file_ ? file_->size() : 0;
}

Status ActiveSilences::Refresh(SystemTime now) {
  EARSHOT_ASSIGN_OR_RETURN(auto records, store_.ListSilences(now, /*active_only=*/true));
  std::vector<std::pair<std::string, LabelMatchers>> silences;
  for (const SilenceRecord& r : records) {
    auto m = LabelMatchers::Parse(r.matchers);
    if (!m.ok()) {
      log::Warn(kComponent, "silence {} ignored: {}", r.id, m.status());
      continue;
    }
    silences.emplace_back(r.id, std::move(m).value());
  }
  std::shared_ptr<const std::vector<FileSilence>> file;
  {
    MutexLock lock(file_mu_);
    file = file_;
  }
  if (file) {
    for (const FileSilence& f : *file) {
      if (f.ActiveAt(now)) silences.emplace_back(f.id, f.matchers);
    }
  }
  silences_ = std::move(silences);
  return Status::Ok();
}

std::string ActiveSilences::SilencedBy(const IncidentRecord& inc) const {
  if (silences_.empty()) return {};
  Labels labels = inc.labels;
  labels.emplace("severity", SeverityName(inc.severity));
  labels.emplace("rule", inc.rule_id);
  labels.emplace("category", IncidentKindName(inc.category));
  labels.emplace("incident_id", inc.id);
  for (const auto& [id, matchers] : silences_) {
    if (matchers.Matches(labels)) return id;
  }
  return {};
}

}  // namespace earshot
