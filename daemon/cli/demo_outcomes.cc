#include "daemon/cli/demo_outcomes.h"

#include <fmt/format.h>

#include <fstream>

#include "daemon/escalator/routes.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

// Who complained: the oldest post an escalation carries is the incident's first (posts come
// newest first), where a staff reply, if any, is the newest.
std::string Complainer(const Escalation& e) {
  if (e.posts.empty()) return e.summary;
  const PostRef& first = e.posts.back();
  return AuthorHandle(first.network, first.author);
}

}  // namespace

Result<std::vector<Escalation>> ReadEscalationFile(const std::filesystem::path& path) {
  std::vector<Escalation> out;
  std::ifstream in(path);
  if (!in) return out;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.empty()) continue;
    Result<Escalation> e = EscalationFromJson(line);
    if (!e.ok()) {
      return Status::DataLoss(
          fmt::format("{}:{}: {}", path.string(), number, e.status().message()));
    }
    out.push_back(*std::move(e));
  }
  return out;
}

std::string AnswerOutcomes(const std::vector<Escalation>& seen,
                           const std::vector<Escalation>& heard, std::string_view receiver) {
  std::string out;
  for (const Escalation& e : seen) {
    if (e.kind != Escalation::Kind::kResolve || !e.first_response) continue;
    out += fmt::format("answered    {}  {}: {}, which resolved it\n", e.incident_id, Complainer(e),
                       AnsweredText(e));
  }
  if (out.empty()) out += "answered    none: no staff reply reached an open incident\n";
  bool any_level = false;
  for (const Escalation& e : heard) {
    if (!e.labels.contains(std::string(kUnansweredLevelLabel))) continue;
    any_level = true;
    out += fmt::format("unanswered  {}  {}: {}, so {} heard too\n", e.incident_id, Complainer(e),
                       e.reason, receiver);
  }
  if (!any_level) out += fmt::format("unanswered  none: no level reached {}\n", receiver);
  return out;
}

}  // namespace earshot
