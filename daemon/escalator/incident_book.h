// IncidentBook: the incidents open or acknowledged as of the last commit, by id, and the
// per-author complaint incidents of each thread (momentum.h ThreadKeyOf). A step works on
// copies (Touch); the book takes them back only once the step has committed (Apply), so a
// step that fails leaves it as it was.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/state/incident_store.h"

namespace earshot {

class IncidentBook {
 public:
  using Incidents = std::unordered_map<std::string, IncidentRecord>;

  // `store` must outlive the book.
  explicit IncidentBook(IncidentStore& store) : store_(store) {}

  // Reads the active incidents (the escalator's first step), replacing what the book held.
  Status Load();

  // The step's working copy of incident `id`, taken from the book at its first touch. With
  // `load_resolved`, an incident the book does not hold is looked for among the step's
  // prefetched ones or in the store: a resolved incident may reopen under its id. nullptr when
  // there is none; a store error is kept in step.error.
  IncidentRecord* Touch(EscalationStep& step, const std::string& id, bool load_resolved);

  // An acknowledgement the store already holds (`earshot ack`): an open incident becomes
  // acknowledged, and a repeat it was holding is dropped. True when it changed.
  bool Acknowledge(const std::string& id);

  // After the step committed: its copies replace the book's; resolved incidents leave it.
  void Apply(EscalationStep& step);

  const Incidents& active() const { return active_; }
  bool contains(const std::string& id) const { return active_.contains(id); }
  size_t size() const { return active_.size(); }
  // The active per-author complaint incidents of `thread`, as of the last commit.
  std::vector<std::string> InThread(const std::string& thread) const;

 private:
  IncidentStore& store_;
  Incidents active_;
  std::unordered_map<std::string, std::vector<std::string>> threads_;
};

}  // namespace earshot
