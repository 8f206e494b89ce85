// IncidentBook: the incidents open or acknowledged as of the last commit, by id, and the
// per-author complaint incidents of each thread (momentum.h ThreadKeyOf). A step works on
// copies (Touch); the book takes them back only once the step has committed (Apply), so a
// step that fails leaves it as it was.
#pragma once

#include <cstdint>
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
  // Changes whenever active() does (Load, Acknowledge, Apply): a watch that looked at every
  // incident at one generation knows nothing changed while it is the same.
  uint64_t generation() const { return generation_; }
  // The incidents the timer must look at by `now`, in id order: those holding a notification,
  // and those quiet for `quiet` (the last post that long ago). Cheap while none is due: the
  // earliest last post is kept per generation, so a tick over thousands of quiet-enough-not
  // incidents reads two fields.
  std::vector<std::string> TimerDue(SystemTime now, SystemTime::duration quiet) const;
  bool contains(const std::string& id) const { return active_.contains(id); }
  size_t size() const { return active_.size(); }
  // The active per-author complaint incidents of `thread`, as of the last commit.
  std::vector<std::string> InThread(const std::string& thread) const;

 private:
  IncidentStore& store_;
  Incidents active_;
  uint64_t generation_ = 0;
  // What TimerDue knows of generation `summary_generation_`.
  mutable uint64_t summary_generation_ = ~uint64_t{0};
  mutable bool any_pending_ = false;
  mutable SystemTime earliest_last_post_ = SystemTime::max();
  std::unordered_map<std::string, std::vector<std::string>> threads_;
};

}  // namespace earshot
