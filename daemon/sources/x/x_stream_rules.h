// The filtered stream's rules (`/2/tweets/search/stream/rules`), as XStreamSource keeps them in
// step with its config: the bodies it sends, the answers it reads, and the plan that says what to
// add and delete. Pure functions, no I/O.
//
// Ownership of rules: a source owns exactly the rules tagged with its own tag
// ("earshot:<source name>"). Every other rule of the app (another client's, another earshot
// source's) is never deleted. X keeps one rule per value across the whole app, so when the
// source's query already exists under another tag, the source uses that rule as it is (its id
// is matched on the stream) instead of adding a duplicate that X would refuse.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"

namespace earshot::x {

struct StreamRule {
  std::string id, value, tag;  // ids are strings (X's ids overflow doubles)
};

// One entry of a POST's `errors`: "DuplicateRule" (with the existing rule's id), "Invalid Rule"
// (with details), or a rule id that does not exist on delete.
struct RuleError {
  std::string title, value, id, detail;
};

// A POST's answer: what was created (add), the summary counts, and each refused rule.
struct RuleChange {
  std::vector<StreamRule> created;
  int64_t created_count = 0, not_created = 0, deleted = 0, not_deleted = 0, invalid = 0;
  std::vector<RuleError> errors;
};

// What to do so that the app has the source's rule and none of its stale ones.
struct RulePlan {
  std::vector<std::string> match_ids;   // rules whose value is the query (ours or anyone's)
  bool add = false;                     // no rule has the query's value yet
  std::vector<std::string> delete_ids;  // rules with our tag and another value
  std::string foreign_tag;              // the query's rule exists only under this other tag
};

// `GET` rules: `{"data":[{id,value,tag}],"meta":{...}}`; no `data` when the app has no rules.
// kDataLoss when the body is not an object or a rule lacks a string id or value.
Status ParseRuleList(simdjson::dom::parser& parser, std::string_view json,
                     std::vector<StreamRule>* out);
// `POST` rules: `data` (created rules), `meta.summary`, `errors`. kDataLoss when the body is
// not an object with a `meta` object and no `errors` either.
Status ParseRuleChange(simdjson::dom::parser& parser, std::string_view json, RuleChange* out);

RulePlan PlanRules(const std::vector<StreamRule>& rules, std::string_view value,
                   std::string_view tag);

// {"add":[{"value":value,"tag":tag}]}
std::string AddRuleBody(std::string_view value, std::string_view tag);
// {"delete":{"ids":[...]}}
std::string DeleteRulesBody(const std::vector<std::string>& ids);

}  // namespace earshot::x
