#include "daemon/model/escalation_json.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <limits>
#include <sstream>

namespace earshot {
namespace {

SystemTime At(int64_t ms) { return FromUnixMillis(ms); }

Escalation Sample() {
  Escalation e;
  e.seq = 42;
  e.incident_id = "inc-3f2a9c";
  e.kind = Escalation::Kind::kOpen;
  e.severity = Severity::kHigh;
  e.rule_id = "brand-sucks";
  e.category = "complaint";
  e.summary = "@jane: lost baggage, \"nobody answers\"";
  e.reason = "new incident";
  e.at = At(1795342500000);  // 2026-11-22T10:15:00.000Z
  e.labels = {{"brand", "acmeair"}, {"team", "care"}};
  PostRef p;
  p.network = "mastodon";
  p.id = "109348723412345678";
  p.url = "https://air.example/@jane/109348723412345678";
  p.author = "jane@air.example";
  p.author_name = "Jane \xF0\x9F\x9B\xAB";
  p.followers = 152000;
  p.text = "Line one\nline two\ttab \\ backslash";
  p.created_at = At(1795342498123);
  p.sentiment = -0.8316;
  p.complaint = 0.93;
  e.posts.push_back(p);
  return e;
}

void CheckSame(const Escalation& a, const Escalation& b) {
  CHECK(a.seq == b.seq);
  CHECK(a.incident_id == b.incident_id);
  CHECK(a.kind == b.kind);
  CHECK(a.severity == b.severity);
  CHECK(a.rule_id == b.rule_id);
  CHECK(a.category == b.category);
  CHECK(a.summary == b.summary);
  CHECK(a.reason == b.reason);
  CHECK(a.at == b.at);
  CHECK(a.first_response == b.first_response);
  CHECK(a.labels == b.labels);
  REQUIRE(a.posts.size() == b.posts.size());
  for (size_t i = 0; i < a.posts.size(); ++i) {
    const PostRef& p = a.posts[i];
    const PostRef& q = b.posts[i];
    CHECK(p.network == q.network);
    CHECK(p.id == q.id);
    CHECK(p.url == q.url);
    CHECK(p.author == q.author);
    CHECK(p.author_name == q.author_name);
    CHECK(p.followers == q.followers);
    CHECK(p.text == q.text);
    CHECK(p.created_at == q.created_at);
    CHECK(p.sentiment == q.sentiment);
    CHECK(p.complaint == q.complaint);
  }
}

TEST_CASE("EscalationToJson: exact bytes, keys in the documented order", "[sinks]") {
  const std::string json = EscalationToJson(Sample());
  CHECK(json ==
        "{\"seq\":42,\"incident_id\":\"inc-3f2a9c\",\"kind\":\"open\",\"severity\":\"high\","
        "\"rule_id\":\"brand-sucks\",\"category\":\"complaint\","
        "\"summary\":\"@jane: lost baggage, \\\"nobody answers\\\"\",\"reason\":\"new incident\","
        "\"at\":\"2026-11-22T10:15:00.000Z\",\"labels\":{\"brand\":\"acmeair\",\"team\":\"care\"},"
        "\"posts\":[{\"network\":\"mastodon\",\"id\":\"109348723412345678\","
        "\"url\":\"https://air.example/@jane/109348723412345678\",\"author\":\"jane@air.example\","
        "\"author_name\":\"Jane \xF0\x9F\x9B\xAB\",\"followers\":152000,"
        "\"text\":\"Line one\\nline two\\ttab \\\\ backslash\","
        "\"created_at\":\"2026-11-22T10:14:58.123Z\",\"sentiment\":-0.8316,"
        "\"complaint_score\":0.93}]}");
}

TEST_CASE("EscalationFromJson: round trip keeps every field", "[sinks]") {
  struct Case {
    const char* name;
    Escalation e;
  };
  std::vector<Case> cases;
  cases.push_back({"sample", Sample()});
  {
    Escalation e;  // defaults: no posts, no labels, epoch time
    e.seq = 1;
    e.incident_id = "inc-0";
    cases.push_back({"empty", e});
  }
  {
    Escalation e = Sample();
    e.kind = Escalation::Kind::kResolve;
    e.severity = Severity::kCritical;
    e.seq = std::numeric_limits<uint64_t>::max();
    e.posts.push_back(e.posts[0]);
    e.posts[1].id = "2";
    e.posts[1].sentiment = 0.1 + 0.2;  // not representable in short decimal: must survive exactly
    e.posts[1].complaint = 0.7 + 0.1;  // 0.7999999999999999: the shortest form must round-trip
    e.posts[1].followers = -1;
    e.labels["quote\"key"] = "value\x01";
    cases.push_back({"resolve, two posts, odd labels", e});
    e.first_response = FirstResponse{At(1795343220000), "acme\"care", std::chrono::seconds(720)};
    cases.push_back({"resolve with its first response", e});
  }
  {
    Escalation e = Sample();
    e.kind = Escalation::Kind::kUpdate;
    e.severity = Severity::kInfo;
    e.summary = std::string("nul\0inside", 10);
    cases.push_back({"update, NUL in summary", e});
  }
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string json = EscalationToJson(c.e);
    Result<Escalation> back = EscalationFromJson(json);
    REQUIRE(back.ok());
    CheckSame(*back, c.e);
    CHECK(EscalationToJson(*back) == json);
  }
}

TEST_CASE("EscalationFromJson: unknown fields ignored, keys in any order", "[sinks]") {
  Result<Escalation> e = EscalationFromJson(
      R"({"future":{"nested":[1,2,{"x":null}]},"incident_id":"inc-9","seq":7,)"
      R"("posts":[{"extra":true,"id":"a","followers":3}],"kind":"update","severity":"low"})");
  REQUIRE(e.ok());
  CHECK(e->seq == 7);
  CHECK(e->incident_id == "inc-9");
  CHECK(e->kind == Escalation::Kind::kUpdate);
  CHECK(e->severity == Severity::kLow);
  REQUIRE(e->posts.size() == 1);
  CHECK(e->posts[0].id == "a");
  CHECK(e->posts[0].followers == 3);
}

TEST_CASE("EscalationToJson: a first response after the reason, only when there is one",
          "[sinks]") {
  Escalation e = Sample();
  e.kind = Escalation::Kind::kResolve;
  e.reason = "staff replied (@acme_care)";
  e.posts.clear();
  e.labels.clear();
  CHECK(EscalationToJson(e).find("first_response") == std::string::npos);
  e.first_response = FirstResponse{At(1795343220000), "acme_care", std::chrono::seconds(720)};
  CHECK(EscalationToJson(e) ==
        "{\"seq\":42,\"incident_id\":\"inc-3f2a9c\",\"kind\":\"resolve\",\"severity\":\"high\","
        "\"rule_id\":\"brand-sucks\",\"category\":\"complaint\","
        "\"summary\":\"@jane: lost baggage, \\\"nobody answers\\\"\","
        "\"reason\":\"staff replied (@acme_care)\","
        "\"first_response\":{\"at\":\"2026-11-22T10:27:00.000Z\",\"by\":\"acme_care\","
        "\"after_s\":720},\"at\":\"2026-11-22T10:15:00.000Z\",\"labels\":{},\"posts\":[]}");
}

TEST_CASE("EscalationFromJson: first_response is optional, and its unknown fields ignored",
          "[sinks]") {
  // Written before first responses: none.
  Result<Escalation> old = EscalationFromJson(R"({"seq":1,"incident_id":"x","kind":"resolve"})");
  REQUIRE(old.ok());
  CHECK(!old->first_response.has_value());
  Result<Escalation> e = EscalationFromJson(
      R"({"seq":1,"incident_id":"x","first_response":{"by":"acme_care","channel":"dm",)"
      R"("after_s":90,"at":"2026-11-22T10:27:00.000Z"}})");
  REQUIRE(e.ok());
  REQUIRE(e->first_response.has_value());
  CHECK(e->first_response->by == "acme_care");
  CHECK(e->first_response->after == std::chrono::seconds(90));
  CHECK(e->first_response->at == At(1795343220000));
  CHECK(AnsweredText(*e->first_response, "mastodon") == "answered by @acme_care after 1m30s");
  CHECK(AnsweredText(*e->first_response, "reddit") == "answered by u/acme_care after 1m30s");
}

TEST_CASE("EscalationFromJson: the first bad field is named", "[sinks]") {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"incident_id":"x"})", "escalation JSON: field 'seq': "},
      {R"({"seq":1})", "escalation JSON: field 'incident_id': "},
      {R"({"seq":"1","incident_id":"x"})", "escalation JSON: field 'seq': wrong type"},
      {R"({"seq":1,"incident_id":"x","kind":"opened"})",
       "escalation JSON: field 'kind': unknown kind 'opened'; expected open, update, resolve or acknowledge"},
      {R"({"seq":1,"incident_id":"x","severity":"urgent"})",
       "escalation JSON: field 'severity': unknown severity 'urgent'"},
      {R"({"seq":1,"incident_id":"x","at":"yesterday"})",
       "escalation JSON: field 'at': not an ISO-8601 UTC time: 'yesterday'"},
      {R"({"seq":1,"incident_id":"x","posts":[{"id":"a"},{"followers":"many"}]})",
       "escalation JSON: field 'posts[1].followers': wrong type"},
      {R"({"seq":1,"incident_id":"x","labels":{"a":1}})",
       "escalation JSON: field 'labels.a': wrong type"},
      {R"({"seq":1,"incident_id":"x","first_response":{"after_s":"12m"}})",
       "escalation JSON: field 'first_response.after_s': wrong type"},
      {R"({"seq":1,"incident_id":"x","first_response":"yes"})",
       "escalation JSON: field 'first_response': wrong type"},
      {R"([1,2])", "escalation JSON: field '(document)': "},
      {R"({"seq":1,"incident_id":"x"} {"seq":2})", "escalation JSON: trailing content"},
      {R"({"seq":1,"incident_id":"x")", "escalation JSON: "},
      {"", "escalation JSON: "},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    Result<Escalation> e = EscalationFromJson(c.json);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(e.status().message(), Catch::StartsWith(c.message));
  }
}

TEST_CASE("EscalationToJson: a non-finite sentiment or complaint score still yields valid JSON",
          "[sinks]") {
  const double kNonFinite[] = {std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity()};
  for (double bad : kNonFinite) {
    CAPTURE(bad);
    Escalation e = Sample();
    e.posts[0].sentiment = bad;
    e.posts[0].complaint = bad;
    const std::string json = EscalationToJson(e);
    CHECK_THAT(json, Catch::EndsWith("\"sentiment\":0,\"complaint_score\":0}]}"));
    Result<Escalation> back = EscalationFromJson(json);
    REQUIRE(back.ok());
    CHECK(back->posts[0].sentiment == 0.0);
    CHECK(back->posts[0].complaint == 0.0);
  }
}

TEST_CASE("EscalationFromJson: complaint_score is read back, and is 0 in older messages",
          "[sinks]") {
  struct Case {
    const char* post;  // one element of "posts"
    double complaint;
  } cases[] = {
      // Written before the complaint scorer: no complaint_score at all.
      {R"({"id":"a","created_at":"2026-11-22T10:14:58.000Z","sentiment":-0.8316})", 0.0},
      {R"({"id":"a","sentiment":-0.5,"complaint_score":0.93})", 0.93},
      {R"({"complaint_score":1,"id":"a"})", 1.0},  // an integer is a number too
      {R"({"id":"a","complaint_score":0})", 0.0},
  };
  for (const Case& c : cases) {
    INFO(c.post);
    Result<Escalation> e = EscalationFromJson(
        std::string(R"({"seq":1,"incident_id":"inc-1","posts":[)") + c.post + "]}");
    REQUIRE(e.ok());
    REQUIRE(e->posts.size() == 1);
    CHECK(e->posts[0].complaint == c.complaint);
  }
  Result<Escalation> bad = EscalationFromJson(
      R"({"seq":1,"incident_id":"x","posts":[{"id":"a","complaint_score":"high"}]})");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(),
             Catch::StartsWith("escalation JSON: field 'posts[0].complaint_score': wrong type"));
}

// docs/bus.md promises its example is the very bytes earshot publishes. The example is wrapped
// for reading, at token boundaries only: joining its lines (dropping each newline and the
// indentation after it) must give what EscalationToJson writes for the escalation it describes.
TEST_CASE("docs/bus.md: the example message is byte for byte what earshot writes", "[sinks]") {
  std::ifstream in(std::string(EARSHOT_SOURCE_DIR) + "/docs/bus.md");
  REQUIRE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const size_t open = text.find("```json\n");
  REQUIRE(open != std::string::npos);
  const size_t begin = open + 8;
  const size_t end = text.find("\n```", begin);
  REQUIRE(end != std::string::npos);
  std::string joined;
  for (size_t i = begin; i < end; ++i) {
    if (text[i] != '\n') {
      joined.push_back(text[i]);
      continue;
    }
    while (i + 1 < end && text[i + 1] == ' ') ++i;
  }
  Result<Escalation> e = EscalationFromJson(joined);
  INFO(joined);
  REQUIRE(e.ok());
  CHECK(EscalationToJson(*e) == joined);
  REQUIRE(e->posts.size() == 1);
  CHECK(e->posts[0].complaint == 0.93);
  CHECK(e->labels.at("complaint") == "high");  // the escalator's band of 0.93
}

}  // namespace
}  // namespace earshot
