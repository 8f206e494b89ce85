// The web console's request handling (Console::Handle): every page, sign-in and API call, with
// requests an attacker could send. The input is a request as text: "METHOD TARGET" on the first
// line, "name: value" header lines up to an empty line, then the body; its first byte picks the
// peer (loopback or another host). The console has a secret ("fuzz-secret", in the dictionary
// as a bearer header), a store holding one incident, a silence and a dead letter, and the
// shipped rules for explain.
//
// Invariants on every response:
//   - it carries the console's CSP (frame-ancestors 'none', no 'unsafe-inline');
//   - its status is one the API documents (docs/console.md), never a 500: the store here is
//     healthy, so any 500 is a bug;
//   - a JSON body is valid UTF-8 and parses;
//   - a refused request (401, 403) changed nothing: the incident's status, the silences and the
//     dead letters are as they were.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/app/app.h"
#include "daemon/base/paths.h"
#include "daemon/console/console.h"
#include "daemon/state/state_store.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace earshot;

struct Rig {
  Rig() {
    auto opened = StateStore::Open(":memory:");
    FUZZ_CHECK(opened.ok(), "an in-memory store opens");
    store = std::move(opened).value();
    EscalatorCommit c;
    IncidentRecord r;
    r.id = "inc-a";
    r.group_key = "mastodon|inc-a";
    r.rule_id = "lost-baggage";
    r.severity = Severity::kHigh;
    r.labels = {{"brand", "acmeair"}};
    r.summary = "a lost bag";
    r.opened_at = r.last_post_at = RealClock().Now();
    r.post_count = 1;
    c.incidents.push_back(r);
    IncidentPost ip;
    ip.incident_id = r.id;
    ip.post.network = "mastodon";
    ip.post.id = "1";
    ip.post.url = "https://air.example/1";
    ip.post.author = "jane@air.example";
    ip.post.text = "<script>alert(1)</script> lost my bag";
    c.posts.push_back(ip);
    FUZZ_CHECK(store->Commit(c).ok(), "the incident is stored");
    SilenceRecord s;
    s.matchers = R"(rule="hours-on-hold")";
    s.starts_at = RealClock().Now();
    s.ends_at = s.starts_at + std::chrono::hours(1);
    FUZZ_CHECK(store->AddSilence(s).ok(), "the silence is stored");
    FUZZ_CHECK(store->AddDeadLetter({"pager", 1, "HTTP 400", RealClock().Now(), false}).ok(),
               "the dead letter is stored");

    AppConfig config;
    config.brands = {"AcmeAir"};
    const std::filesystem::path rules = DefaultRulesDir();
    config.rule_files = {rules / "complaints.yaml"};
    config.lexicon_dir = rules / "lexicon";
    Diagnostics diags;
    auto built = BuildDetector(config, &diags);
    FUZZ_CHECK(built.ok(), "the shipped rules load");
    detector = *built;

    ConsoleBackend backend;
    backend.operators = store.get();
    backend.outbox = store.get();
    backend.detector = [this] { return detector; };
    backend.sinks = {"pager"};
    backend.clock = &RealClock();
    ConsoleAuthOptions auth;
    auth.secret = "fuzz-secret";
    console = std::make_unique<Console>(std::move(backend), std::move(auth));
  }

  // What a refused request must not have changed.
  std::string State() {
    std::string state;
    if (auto inc = store->LoadIncident("inc-a"); inc.ok() && inc->has_value()) {
      state += std::string(IncidentStatusName((*inc)->status));
    }
    if (auto silences = store->ListSilences(RealClock().Now(), false); silences.ok()) {
      for (const SilenceRecord& s : *silences) state += "|" + s.id + "@" + FormatIso8601(s.ends_at);
    }
    if (auto letters = store->ListDeadLetters(); letters.ok()) {
      for (const DeadLetter& d : *letters) state += d.redeliver ? "|redeliver" : "|parked";
    }
    if (auto acks = store->LoadPendingAcks(); acks.ok()) state += "|acks" + std::to_string(acks->size());
    return state;
  }

  std::unique_ptr<StateStore> store;
  std::shared_ptr<const Detector> detector;
  std::unique_ptr<Console> console;
};

HttpServerRequest Parse(std::string_view text) {
  HttpServerRequest req;
  req.peer_address = !text.empty() && (text.front() & 1) ? "10.1.2.3" : "127.0.0.1";
  if (!text.empty()) text.remove_prefix(1);
  auto line = [&text]() {
    const size_t nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    return l;
  };
  std::string_view first = line();
  const size_t space = first.find(' ');
  req.method = std::string(first.substr(0, space));
  std::string_view target = space == std::string_view::npos ? "/" : first.substr(space + 1);
  const size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    req.query = std::string(target.substr(q + 1));
    for (std::string_view rest = req.query; !rest.empty();) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      const size_t eq = pair.find('=');
      req.params.emplace_back(std::string(pair.substr(0, eq)),
                              eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    }
  }
  for (std::string_view h = line(); !h.empty(); h = line()) {
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(h.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.emplace_back(std::move(name), std::string(value));
  }
  req.body = std::string(text);
  return req;
}

bool Documented(int status) {
  for (int s : {200, 201, 303, 400, 401, 403, 404, 405}) {
    if (status == s) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Rig rig;
  const HttpServerRequest req = Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string before = rig.State();
  const HttpServerResponse resp = rig.console->Handle(req);

  bool csp = false, json = false;
  for (const auto& [name, value] : resp.headers) {
    if (name == "Content-Security-Policy") {
      csp = value.find("frame-ancestors 'none'") != std::string::npos &&
            value.find("unsafe-inline") == std::string::npos;
    }
    if (name == "Content-Type" && value.starts_with("application/json")) json = true;
  }
  FUZZ_CHECK(csp, "every response carries the console's Content-Security-Policy");
  FUZZ_CHECK(Documented(resp.status), "the status is one docs/console.md lists, never a 500");
  if (json && !resp.stream) {
    FUZZ_CHECK(earshot::fuzz::IsValidUtf8(resp.body), "a JSON body is valid UTF-8");
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    FUZZ_CHECK(parser.parse(resp.body).get(doc) == simdjson::SUCCESS, "a JSON body parses");
  }
  if (resp.status == 401 || resp.status == 403) {
    FUZZ_CHECK(rig.State() == before, "a refused request changes nothing");
  }
  return 0;
}
