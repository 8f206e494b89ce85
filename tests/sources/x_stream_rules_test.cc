// x_stream_rules: which rules a source adds and deletes (only ever its own tag's), and X's
// answers read back.
#include "daemon/sources/x/x_stream_rules.h"

#include <catch2/catch.hpp>

namespace earshot::x {
namespace {

TEST_CASE("PlanRules: adds the query when no rule has it, deletes only its own stale rules",
          "[sources][x][stream]") {
  struct Case {
    const char* name;
    std::vector<StreamRule> rules;
    bool add;
    std::vector<std::string> match_ids, delete_ids;
    std::string foreign_tag;
  };
  const std::string kTag = "earshot:airline";
  const std::vector<Case> cases = {
      {"no rules", {}, true, {}, {}, ""},
      {"ours, current", {{"1", "acmeair", kTag}}, false, {"1"}, {}, ""},
      {"ours, stale", {{"1", "acme air", kTag}}, true, {}, {"1"}, ""},
      {"another tag's rule with our value is used",
       {{"2", "acmeair", "dashboard"}},
       false,
       {"2"},
       {},
       "dashboard"},
      {"an untagged rule with our value is used",
       {{"2", "acmeair", ""}},
       false,
       {"2"},
       {},
       "(none)"},
      {"other tags are never deleted",
       {{"3", "competitor", "marketing"}, {"4", "acmeair refund", "earshot:other"}},
       true,
       {},
       {},
       ""},
      {"ours stale, someone else's current",
       {{"1", "acme air", kTag}, {"2", "acmeair", "dashboard"}},
       false,
       {"2"},
       {"1"},
       "dashboard"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const RulePlan plan = PlanRules(c.rules, "acmeair", kTag);
    CHECK(plan.add == c.add);
    CHECK(plan.match_ids == c.match_ids);
    CHECK(plan.delete_ids == c.delete_ids);
    CHECK(plan.foreign_tag == c.foreign_tag);
  }
}

TEST_CASE("x_stream_rules: request bodies and X's answers", "[sources][x][stream]") {
  CHECK(AddRuleBody("\"late\" acmeair", "earshot:a") ==
        R"({"add":[{"value":"\"late\" acmeair","tag":"earshot:a"}]})");
  CHECK(DeleteRulesBody({"1", "2"}) == R"({"delete":{"ids":["1","2"]}})");

  simdjson::dom::parser parser;
  std::vector<StreamRule> rules;
  REQUIRE(ParseRuleList(parser, R"({"meta":{"sent":"2026-12-07T10:00:00.000Z","result_count":0}})",
                        &rules)
              .ok());
  CHECK(rules.empty());
  REQUIRE(ParseRuleList(parser,
                        R"({"data":[{"id":"1800000000000000001","value":"cats","tag":"c"},)"
                        R"({"id":"1800000000000000018","value":"dogs"}],"meta":{}})",
                        &rules)
              .ok());
  REQUIRE(rules.size() == 2);
  CHECK(rules[1].id == "1800000000000000018");
  CHECK(rules[1].tag.empty());
  CHECK_FALSE(ParseRuleList(parser, R"({"data":[{"id":1,"value":"x"}],"meta":{}})", &rules).ok());
  CHECK_FALSE(ParseRuleList(parser, "[]", &rules).ok());

  RuleChange change;
  REQUIRE(ParseRuleChange(parser,
                          R"({"meta":{"sent":"x","summary":{"created":0,"not_created":1,)"
                          R"("valid":0,"invalid":1}},"errors":[{"value":"cats","id":"17",)"
                          R"("title":"DuplicateRule","type":"https://api.twitter.com/2/)"
                          R"(problems/duplicate-rules"}]})",
                          &change)
              .ok());
  CHECK(change.created.empty());
  CHECK(change.not_created == 1);
  REQUIRE(change.errors.size() == 1);
  CHECK(change.errors[0].title == "DuplicateRule");
  CHECK(change.errors[0].id == "17");
  REQUIRE(ParseRuleChange(parser,
                          R"({"errors":[{"value":"a b(","details":["Unbalanced parens"],)"
                          R"("title":"Invalid Rule"}]})",
                          &change)
              .ok());
  CHECK(change.errors[0].detail == "Unbalanced parens");
  CHECK_FALSE(ParseRuleChange(parser, R"({"data":[]})", &change).ok());
}

}  // namespace
}  // namespace earshot::x
