// HashtagWatch: the new-hashtag signal. It counts the complaints' hashtags that contain a brand
// (a brand's key of three letters or more); a never-seen one that reaches new_hashtag_min_posts
// opens its "new-hashtag" incident, once ever; later posts carrying it join that incident
// while it is open, without paging. Hashtags the configuration or the rules name are known and
// never signal.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/pager.h"

namespace earshot {

class HashtagWatch {
 public:
  // All three must outlive the watch.
  HashtagWatch(const EscalatorOptions& options, IncidentBook& book, Pager& pager);

  // The hashtags the loaded rule packs name (rule_hashtags.h): with escalation's `known` list,
  // they never signal, unless new_hashtag.known_from_rules is false. Safe from any thread; the
  // next batch sees the new set.
  void SetRuleHashtags(const std::vector<std::string>& hashtags);

  // Whether the signal is on and some brand is long enough to look for.
  bool enabled() const { return options_.new_hashtag_enabled && !brand_keys_.empty(); }

  // Reads every brand hashtag seen so far (the escalator's first step).
  Status Load(IncidentStore& store);

  // Counts the complaint's brand hashtags into step.hashtags; opens or joins their incidents.
  void Observe(EscalationStep& step, const DetectedPost& dp, const std::string& source);

  // After the step committed: its counts become the ones seen.
  void Apply(EscalationStep& step);

 private:
  using HashtagSet = std::unordered_set<std::string>;

  void Open(EscalationStep& step, BrandHashtagRecord& tag, const DetectedPost& dp,
            const std::string& source);
  std::shared_ptr<const HashtagSet> Known() const;

  const EscalatorOptions& options_;
  IncidentBook& book_;
  Pager& pager_;
  std::vector<std::string> brand_keys_;  // BrandKey of each of options_.brands
  // Every brand hashtag seen (committed), by hashtag.
  std::unordered_map<std::string, BrandHashtagRecord> seen_;
  // The hashtags never to signal: options_.known_hashtags and the rules' (SetRuleHashtags),
  // swapped whole by a reload; the escalator thread reads one snapshot per batch.
  mutable Mutex known_mu_;
  std::shared_ptr<const HashtagSet> known_ GUARDED_BY(known_mu_);
};

}  // namespace earshot
