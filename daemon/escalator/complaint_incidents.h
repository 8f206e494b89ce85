// ComplaintIncidents: the incidents complaints open. A complaint opens its group's incident
// (incident_key.h), reopens it when resolved, or joins it, raising the severity when it is
// higher and scheduling the page (new incident, severity raised, repeat). A resolution (the
// author's thanks, a staff reply) resolves the incidents of its thread; a staff reply is also
// an incident's first response when none came before, kept across reopenings.
#pragma once

#include <string>
#include <string_view>

#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/momentum_watch.h"
#include "daemon/escalator/pager.h"

namespace earshot {

class ComplaintIncidents {
 public:
  // All must outlive this.
  ComplaintIncidents(const EscalatorOptions& options, IncidentStore& store, IncidentBook& book,
                     Pager& pager, MomentumWatch& momentum)
      : options_(options), store_(store), book_(book), pager_(pager), momentum_(momentum) {}

  // `d`, the post's loudest complaint, opens, reopens or joins its incident.
  void Complaint(EscalationStep& step, const DetectedPost& dp, const Detection& d,
                 const std::string& source);

  // The author's own thank-you closes their incident in the thread; a staff reply closes
  // every incident in it, and is the first response of those it is the first reply to.
  void Resolution(EscalationStep& step, const DetectedPost& dp);

  // Whether `handle` is one of options.staff_authors (case-insensitive).
  bool IsStaff(std::string_view handle) const;

 private:
  const EscalatorOptions& options_;
  IncidentStore& store_;
  IncidentBook& book_;
  Pager& pager_;
  MomentumWatch& momentum_;
};

}  // namespace earshot
