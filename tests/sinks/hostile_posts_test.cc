// Text from strangers through every sink. Each post of tests/data/hostile/posts.json (Slack
// mentions and links, CR/LF and header injection, SMTP smuggling, ANSI and C1 escapes, bidi and
// invisible characters, invalid UTF-8, NUL, 100 KB, shell metacharacters, argv options) becomes
// an escalation's summary, post text, author name, handle and URL, and goes through the console,
// file, webhook, Slack, PagerDuty, email and exec sinks with real receivers: a stream, a file,
// an HTTP server and an SMTP server on 127.0.0.1, a child process. Each check is what the
// receiving tool would do with the text (docs/sinks.md, "Text from strangers").
#include <fcntl.h>
#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "daemon/base/json_escape.h"
#include "daemon/base/utf8.h"
#include "daemon/net/curl_http_client.h"
#include "sinks/console_sink.h"
#include "sinks/email_sink.h"
#include "daemon/model/escalation_json.h"
#include "sinks/exec_sink.h"
#include "sinks/file_sink.h"
#include "sinks/pagerduty_sink.h"
#include "sinks/registry.h"
#include "sinks/slack_sink.h"
#include "sinks/webhook_sink.h"
#include "tests/fakes/smtp_server.h"
#include "tests/sinks/receiver.h"
#include "tests/sinks/sink_test_util.h"

extern char** environ;

namespace earshot {
namespace {

using testing::Receiver;
using testing::SampleEscalation;
using testing::SinkTempDir;
using testing::SmtpServer;

struct HostilePost {
  std::string name;
  std::string text;
};

// The corpus: "text" as JSON gives it, or "bytes" with each character U+0000-U+00FF taken as one
// raw byte (JSON cannot hold invalid UTF-8), repeated "repeat" times.
std::vector<HostilePost> Corpus() {
  static const std::vector<HostilePost> corpus = [] {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    const std::string path = std::string(EARSHOT_SOURCE_DIR) + "/tests/data/hostile/posts.json";
    REQUIRE(parser.load(path).get(doc) == simdjson::SUCCESS);
    std::vector<HostilePost> out;
    for (simdjson::dom::element p : doc["posts"].get_array()) {
      HostilePost post;
      std::string_view name, text;
      REQUIRE(p["name"].get(name) == simdjson::SUCCESS);
      post.name = std::string(name);
      if (p["text"].get(text) == simdjson::SUCCESS) {
        post.text = std::string(text);
      } else {
        REQUIRE(p["bytes"].get(text) == simdjson::SUCCESS);
        for (size_t i = 0; i < text.size();) {  // UTF-8 of U+0000-U+00FF: 1 or 2 bytes
          const auto c = static_cast<unsigned char>(text[i]);
          if (c < 0x80) {
            post.text.push_back(static_cast<char>(c));
            ++i;
          } else {
            REQUIRE((c == 0xC2 || c == 0xC3));
            post.text.push_back(static_cast<char>(((c & 0x03) << 6) | (text[i + 1] & 0x3F)));
            i += 2;
          }
        }
        REQUIRE_FALSE(utf8::IsValid(post.text));
      }
      int64_t repeat = 1;
      if (p["repeat"].get(repeat) == simdjson::SUCCESS) {
        std::string once = post.text;
        for (int64_t k = 1; k < repeat; ++k) post.text += once;
      }
      out.push_back(std::move(post));
    }
    return out;
  }();
  return corpus;
}

// The stranger's text wherever a post puts text of its own.
Escalation HostileEscalation(const HostilePost& p, uint64_t seq) {
  Escalation e = SampleEscalation(seq, FromUnixMillis(1795342500000));
  e.kind = Escalation::Kind::kOpen;
  e.summary = p.text;
  PostRef& post = e.posts.front();
  post.text = p.text;
  post.author_name = p.text;
  post.author = p.text;
  post.url = p.text;
  return e;
}

// What a JSON writer must make of `text`: itself when it is valid UTF-8, else valid UTF-8 with
// U+FFFD where the bad bytes were.
void CheckJsonString(std::string_view got, const std::string& text) {
  if (utf8::IsValid(text)) {
    CHECK(got == text);
  } else {
    CHECK(utf8::IsValid(got));
    CHECK(got.find("\xEF\xBF\xBD") != std::string_view::npos);
  }
}

// The wire JSON (file line, webhook body, exec stdin): valid UTF-8, no raw control byte (a raw
// LF would split a JSONL line), parses as simdjson sees it, and gives back the post's text.
void CheckWireJson(std::string_view json, const HostilePost& p) {
  CHECK(utf8::IsValid(json));
  CHECK(std::none_of(json.begin(), json.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json.data(), json.size()).get(doc) == simdjson::SUCCESS);
  Result<Escalation> back = EscalationFromJson(json);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  CheckJsonString(back->summary, p.text);
  REQUIRE(back->posts.size() == 1);
  CheckJsonString(back->posts[0].text, p.text);
  CheckJsonString(back->posts[0].author, p.text);
  CheckJsonString(back->posts[0].author_name, p.text);
  CheckJsonString(back->posts[0].url, p.text);
}

// The code points of valid UTF-8.
std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// Text a terminal or a mail reader shows: valid UTF-8; no control besides the line breaks
// (LF; CR only right before LF when `crlf`); no ESC but earshot's own colours (`sgr`); no C1
// control, bidi override, isolate or mark, and no invisible character that can hide in a word.
void CheckShowable(std::string_view text, bool crlf, bool sgr) {
  REQUIRE(utf8::IsValid(text));
  const std::vector<char32_t> cps = CodePoints(text);
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    INFO("code point " << static_cast<uint32_t>(cp) << " at " << i);
    if (cp == '\n') continue;
    if (cp == '\r') {
      CHECK(crlf);
      CHECK((i + 1 < cps.size() && cps[i + 1] == '\n'));
      continue;
    }
    if (cp == 0x1b && sgr) {
      // Only an SGR sequence: ESC [ digits and ';' m.
      size_t j = i + 1;
      CHECK((j < cps.size() && cps[j] == '['));
      for (++j; j < cps.size() && ((cps[j] >= '0' && cps[j] <= '9') || cps[j] == ';'); ++j) {
      }
      CHECK((j < cps.size() && cps[j] == 'm'));
      i = j;
      continue;
    }
    CHECK(cp >= 0x20);
    CHECK(cp != 0x7F);
    CHECK_FALSE((cp >= 0x80 && cp <= 0x9F));
    CHECK_FALSE((cp >= 0x202A && cp <= 0x202E));
    CHECK_FALSE((cp >= 0x2066 && cp <= 0x2069));
    CHECK_FALSE((cp == 0x200E || cp == 0x200F || cp == 0x061C));
    CHECK_FALSE((cp == 0x200B || cp == 0x2060 || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029));
  }
}

std::unique_ptr<HttpClient> Http() {
  auto h = CurlHttpClient::Create();
  REQUIRE(h.ok());
  return *std::move(h);
}

TEST_CASE("Hostile posts: the corpus holds every kind of hostile text", "[hostile]") {
  std::set<std::string> names;
  for (const HostilePost& p : Corpus()) {
    CHECK(names.insert(p.name).second);
    CHECK_FALSE(p.text.empty());
  }
  for (const char* name :
       {"slack-channel-mention", "slack-disguised-link", "markdown-links", "bare-cr-overwrite",
        "mail-header-injection", "smtp-smuggling", "ansi-csi", "ansi-osc-title",
        "ansi-osc8-hyperlink", "ansi-dcs-apc", "c1-controls", "bidi-override", "zero-width",
        "html-script", "long-100k", "invalid-utf8", "nul", "shell-metacharacters",
        "argv-option"}) {
    CHECK(names.count(name) == 1);
  }
  for (const HostilePost& p : Corpus()) {
    if (p.name == "long-100k") CHECK(p.text.size() >= 100 * 1024);
    if (p.name == "nul") CHECK(p.text.find('\0') != std::string::npos);
  }
}

TEST_CASE("Hostile posts: the console shows every byte as text and drives nothing", "[hostile]") {
  // What a few posts must look like: visible escapes, so the operator sees what was sent.
  const std::map<std::string, std::vector<std::string>> shown = {
      {"ansi-csi", {"\\x1b[2J\\x1b[1;1Hfake prompt"}},
      {"ansi-osc-title", {"\\x1b]0;pwned\\x07title"}},
      {"c1-controls", {"U+009B2J CSI"}},
      {"bidi-override", {"invoice U+202Egnp.exeU+202C"}},
      {"bidi-isolate-mark", {"U+2066adminU+2069", "U+200FRLM"}},
      {"zero-width", {"reU+200Bfund U+FEFFBOM"}},
      {"line-separators", {"oneU+2028twoU+2029three"}},
      {"nul", {"before\\x00after"}},
      {"invalid-utf8", {"\\xff\\xfe bad \\xc3( "}},
      {"bare-cr-overwrite", {"refund denied\\x0drefund APPROVED"}},
      {"del-and-c0", {"\\x7f\\x01\\x02\\x07\\x08"}},
  };
  for (const HostilePost& p : Corpus()) {
    for (bool color : {false, true}) {
      INFO("post " << p.name << (color ? " in colour" : ""));
      std::ostringstream out;
      ConsoleSink sink(out, color);
      std::stop_source never;
      REQUIRE(sink.Deliver(HostileEscalation(p, 1), never.get_token()).delivered());
      const std::string text = out.str();
      CheckShowable(text, /*crlf=*/false, /*sgr=*/color);
      CHECK(text.find('\0') == std::string::npos);
      if (!color) CHECK(text.find('\x1b') == std::string::npos);
      // One line for the escalation (plus the summary's own line breaks) and one for the post:
      // nothing from a stranger starts a line of its own.
      const auto breaks = std::count(p.text.begin(), p.text.end(), '\n');
      CHECK(std::count(text.begin(), text.end(), '\n') == 2 + breaks);
      if (auto it = shown.find(p.name); it != shown.end()) {
        for (const std::string& s : it->second) CHECK_THAT(text, Catch::Contains(s));
      }
    }
  }
}

TEST_CASE("Hostile posts: the JSONL file keeps one parseable line per escalation", "[hostile]") {
  SinkTempDir dir;
  const auto path = dir.path() / "escalations.jsonl";
  FileSink sink(path.string());
  std::stop_source never;
  const std::vector<HostilePost> corpus = Corpus();
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    REQUIRE(sink.Deliver(HostileEscalation(corpus[i], i + 1), never.get_token()).delivered());
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    CheckWireJson(lines[i], corpus[i]);
    CHECK(EscalationFromJson(lines[i])->seq == i + 1);
  }
}

TEST_CASE("Hostile posts: the webhook body is valid UTF-8 JSON, signed as sent", "[hostile]") {
  Receiver rx;
  REQUIRE(rx.ok());
  WebhookSinkConfig c;
  c.name = "hook";
  c.url = rx.url("/hook");
  c.secret = "hostile-hmac-key";
  WebhookSink sink(c, Http(), RealClock());
  std::stop_source never;
  const std::vector<HostilePost> corpus = Corpus();
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    REQUIRE(sink.Deliver(HostileEscalation(corpus[i], i + 1), never.get_token()).delivered());
  }
  const auto seen = rx.accepted();
  REQUIRE(seen.size() == corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    const HttpServerRequest& r = seen[i];
    CheckWireJson(r.body, corpus[i]);
    const std::string ts(r.Header("x-earshot-timestamp").value_or(""));
    CHECK(r.Header("x-earshot-signature") ==
          std::optional<std::string_view>(WebhookSignature(c.secret, ts, r.body)));
    // The headers carry earshot's own values only, never the stranger's text.
    CHECK(r.Header("idempotency-key") ==
          std::optional<std::string_view>(fmt::format("inc-{}-{}", 1000 + (i + 1) % 7, i + 1)));
    for (const auto& [name, value] : r.headers) {
      CHECK(value.find("evil") == std::string::npos);
      CHECK(utf8::IsValid(value));
    }
  }
}

// Every object of a Block Kit message whose "type" is "mrkdwn", with its path.
void MrkdwnTexts(simdjson::dom::element el, const std::string& path,
                 std::vector<std::pair<std::string, std::string>>* out) {
  if (el.is_object()) {
    std::string_view type, text;
    if (el["type"].get(type) == simdjson::SUCCESS && type == "mrkdwn" &&
        el["text"].get(text) == simdjson::SUCCESS) {
      out->emplace_back(path, std::string(text));
    }
    for (auto [key, value] : el.get_object()) MrkdwnTexts(value, path + "." + std::string(key), out);
  } else if (el.is_array()) {
    size_t i = 0;
    for (simdjson::dom::element v : el.get_array()) {
      MrkdwnTexts(v, path + "[" + std::to_string(i++) + "]", out);
    }
  }
}

TEST_CASE("Hostile posts: Slack mrkdwn never holds a raw '<' (no mention, no disguised link)",
          "[hostile]") {
  Receiver rx;
  REQUIRE(rx.ok());
  SlackSink sink(SlackSinkConfig{"chat", rx.url("/services/T0/B0/x"), std::chrono::minutes(10),
                                 std::chrono::seconds(10)},
                 Http(), RealClock());
  std::stop_source never;
  const std::vector<HostilePost> corpus = Corpus();
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    REQUIRE(sink.Deliver(HostileEscalation(corpus[i], i + 1), never.get_token()).delivered());
  }
  const auto seen = rx.accepted();
  REQUIRE(seen.size() == corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    const std::string& body = seen[i].body;
    CHECK(utf8::IsValid(body));
    CHECK(body == SlackPayload(HostileEscalation(corpus[i], i + 1)));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
    std::string_view text;
    REQUIRE(doc["text"].get(text) == simdjson::SUCCESS);
    CHECK(text.find('<') == std::string_view::npos);
    std::vector<std::pair<std::string, std::string>> mrkdwn;
    MrkdwnTexts(doc, "", &mrkdwn);
    CHECK(mrkdwn.size() >= 3);  // the summary, the post, the context line
    for (const auto& [path, t] : mrkdwn) {
      INFO(path);
      CHECK(t.find('<') == std::string::npos);
    }
  }
}

TEST_CASE("Hostile posts: Slack keeps a post inside its quote and links only http(s) URLs",
          "[hostile]") {
  // Slack quotes one line per '>': a post's own line break would end the quote, and what
  // follows reads as earshot's words ("*incident resolved, no action needed*"). A button whose
  // url is not an http(s) URL makes Slack refuse the whole message (invalid_blocks, HTTP 400,
  // a dead letter): the page is lost because of the post's URL, which a federated server sets.
  for (const HostilePost& p : Corpus()) {
    INFO("post " << p.name);
    const Escalation e = HostileEscalation(p, 1);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(SlackPayload(e)).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array blocks;
    REQUIRE(doc["blocks"].get(blocks) == simdjson::SUCCESS);
    simdjson::dom::element post_block = blocks.at(2);
    std::string_view section;
    REQUIRE(post_block["text"]["text"].get(section) == simdjson::SUCCESS);
    // The post is there at all: a long display name must not push it out of the section.
    const size_t quote = section.find("\n>");
    CHECK(quote != std::string_view::npos);
    bool quoted_throughout = true;
    if (quote != std::string_view::npos) {
      const std::string_view quoted = section.substr(quote + 1);
      for (size_t nl = quoted.find('\n'); nl != std::string_view::npos;
           nl = quoted.find('\n', nl + 1)) {
        quoted_throughout = quoted_throughout && nl + 1 < quoted.size() && quoted[nl + 1] == '>';
      }
    }
    CHECK(quoted_throughout);
    std::string_view url;
    const bool http_url_or_none =
        post_block["accessory"]["url"].get(url) != simdjson::SUCCESS ||
        ((url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) &&
         url.find_first_of(" <>\"\\") == std::string_view::npos);
    CHECK(http_url_or_none);
  }
}

TEST_CASE("Hostile posts: the PagerDuty event is valid UTF-8 JSON carrying the post",
          "[hostile]") {
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kAccepted, R"({"status":"success"})");
  PagerDutySinkConfig c;
  c.name = "oncall";
  c.routing_key = "R0UTINGKEY";
  c.url = rx.url("/v2/enqueue");
  PagerDutySink sink(c, Http(), RealClock());
  std::stop_source never;
  const std::vector<HostilePost> corpus = Corpus();
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    REQUIRE(sink.Deliver(HostileEscalation(corpus[i], i + 1), never.get_token()).delivered());
  }
  const auto seen = rx.accepted();
  REQUIRE(seen.size() == corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    const HostilePost& p = corpus[i];
    INFO("post " << p.name);
    const std::string& body = seen[i].body;
    CHECK(utf8::IsValid(body));
    CHECK(std::none_of(body.begin(), body.end(),
                       [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
    std::string_view summary, post, key;
    REQUIRE(doc["payload"]["summary"].get(summary) == simdjson::SUCCESS);
    REQUIRE(doc["payload"]["custom_details"]["post"].get(post) == simdjson::SUCCESS);
    REQUIRE(doc["dedup_key"].get(key) == simdjson::SUCCESS);
    CHECK(key == fmt::format("inc-{}", 1000 + (i + 1) % 7));
    if (p.text.size() <= 1000) {  // longer ones are cut, as PagerDuty's limits ask
      CheckJsonString(summary, p.text);
      CheckJsonString(post, p.text);
    } else {
      CHECK(summary.size() <= 1024);
      CHECK(post.size() <= 2000);
    }
  }
}

// The header lines of a message, each with its continuation lines joined (unfolded).
std::vector<std::string> UnfoldedHeaders(std::string_view head) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < head.size()) {
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(start, end - start);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back() += std::string(line);
    } else {
      out.emplace_back(line);
    }
    start = end + 2;
  }
  return out;
}

std::string Base64Decode(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const size_t at = kAlphabet.find(c);
    if (at == std::string_view::npos) continue;
    acc = (acc << 6) | static_cast<uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// An unstructured header value as a mail client shows it: plain text, or RFC 2047 "B"
// encoded-words (joined without the whitespace between them). A value that mixes the two, or an
// "=?" that does not start an encoded-word of ours, is reported as such: a client would decode it.
std::string DecodeHeaderValue(std::string_view value) {
  if (value.find("=?") == std::string_view::npos) return std::string(value);
  std::string out;
  std::istringstream words{std::string(value)};
  for (std::string w; words >> w;) {
    if (w.rfind("=?UTF-8?B?", 0) != 0 || w.size() < 12 || w.substr(w.size() - 2) != "?=") {
      return "<not all encoded-words: " + std::string(value) + ">";
    }
    out += Base64Decode(std::string_view(w).substr(10, w.size() - 12));
  }
  return out;
}

TEST_CASE("Hostile posts: a mail keeps its headers, one message per escalation, a clean body",
          "[hostile]") {
  SmtpServer server;
  REQUIRE(server.ok());
  EmailSinkConfig c;
  c.name = "mail";
  c.url = server.url();
  c.from = "earshot@ops.example";
  c.to = {"oncall@ops.example"};
  c.starttls = "never";
  c.timeout = std::chrono::milliseconds(20000);
  EmailSink sink(c, RealClock());
  std::stop_source never;
  const std::vector<HostilePost> corpus = Corpus();
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("post " << corpus[i].name);
    DeliveryResult r = sink.Deliver(HostileEscalation(corpus[i], i + 1), never.get_token());
    INFO(r.detail);
    REQUIRE(r.delivered());
  }
  // SMTP smuggling would end one message early and start another: exactly one each.
  const auto messages = server.messages();
  REQUIRE(messages.size() == corpus.size());
  const std::set<std::string> headers = {"From", "To", "Subject", "Date", "Message-ID",
                                         "MIME-Version", "Content-Type",
                                         "Content-Transfer-Encoding", "X-Earshot-Incident",
                                         "X-Earshot-Seq"};
  for (size_t i = 0; i < corpus.size(); ++i) {
    const HostilePost& p = corpus[i];
    INFO("post " << p.name);
    const SmtpServer::Message& m = messages[i];
    CHECK(m.mail_from == "earshot@ops.example");
    CHECK(m.rcpt_to == std::vector<std::string>{"oncall@ops.example"});
    const std::string& data = m.data;
    // Every line ends in CRLF (no bare CR or LF for a server to read as a line end) and is at
    // most 998 octets, as RFC 5322 and SMTP require.
    size_t line_start = 0;
    for (size_t k = 0; k < data.size(); ++k) {
      if (data[k] == '\r') CHECK((k + 1 < data.size() && data[k + 1] == '\n'));
      if (data[k] == '\n') {
        CHECK((k > 0 && data[k - 1] == '\r'));
        CHECK(k - 1 - line_start <= 998);
        line_start = k + 1;
      }
    }
    CHECK(data.size() - line_start <= 998);

    const size_t split = data.find("\r\n\r\n");
    REQUIRE(split != std::string::npos);
    const std::string head = data.substr(0, split);
    const std::string body = data.substr(split + 4);
    // The header section is ASCII, and every header is earshot's own, once: no text of the post
    // started a header of its own (Bcc:, a second Subject:).
    CHECK(std::all_of(head.begin(), head.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }));
    std::map<std::string, std::string> values;
    for (const std::string& h : UnfoldedHeaders(head)) {
      const size_t colon = h.find(": ");
      REQUIRE(colon != std::string::npos);
      const std::string name = h.substr(0, colon);
      CHECK(headers.count(name) == 1);
      CHECK(values.emplace(name, h.substr(colon + 2)).second);
    }
    CHECK(values.size() == headers.size());
    CHECK(values["Message-ID"] == fmt::format("<inc-{}.{}@earshot>", 1000 + (i + 1) % 7, i + 1));
    // The Subject as a mail client shows it: one line, showable, earshot's prefix first.
    const std::string subject = DecodeHeaderValue(values["Subject"]);
    CHECK_THAT(subject, Catch::StartsWith("[earshot] HIGH open: "));
    CheckShowable(subject, /*crlf=*/false, /*sgr=*/false);
    CHECK(subject.find('\n') == std::string::npos);
    // The body is the console text: showable, valid UTF-8, no colours.
    CheckShowable(body, /*crlf=*/true, /*sgr=*/false);
    CHECK_THAT(body, Catch::Contains("Incident inc-"));
  }
}

TEST_CASE("Hostile posts: exec gets the post on stdin as JSON, never in argv or the environment",
          "[hostile]") {
  SinkTempDir dir;
  // Records its argv, its environment as it was exec'd (NUL-separated) and its stdin.
  const std::string script =
      "printf '%s\\0' \"$0\" \"$@\" > \"$1/args\"; cat /proc/$$/environ > \"$1/env\"; "
      "cat > \"$1/stdin\"";
  const std::string out = dir.path().string();
  ExecSink sink(ExecSinkConfig{"x", {"/bin/sh", "-c", script, "earshot-hook", out, "--fixed"},
                               std::chrono::seconds(20)});
  // The environment a child should see: earshot's own, less what the sink removes.
  std::multiset<std::string> inherited;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "CREDENTIALS_DIRECTORY=", 22) == 0) continue;
    if (std::strncmp(*e, "EARSHOT_", 8) == 0) continue;
    inherited.insert(*e);
  }
  auto read = [&](const char* name) {
    std::ifstream in(dir.path() / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto split0 = [](const std::string& s) {
    std::vector<std::string> parts;
    for (size_t start = 0; start < s.size();) {
      const size_t end = s.find('\0', start);
      parts.push_back(s.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return parts;
  };
  const std::vector<HostilePost> corpus = Corpus();
  for (size_t i = 0; i < corpus.size(); ++i) {
    const HostilePost& p = corpus[i];
    INFO("post " << p.name);
    std::stop_source never;
    const Escalation e = HostileEscalation(p, i + 1);
    DeliveryResult r = sink.Deliver(e, never.get_token());
    INFO(r.detail);
    REQUIRE(r.delivered());
    // argv is the configured list, whatever the post says ("--help", "$(rm -rf /)").
    CHECK(split0(read("args")) == std::vector<std::string>{"earshot-hook", out, "--fixed"});
    std::multiset<std::string> env;
    std::map<std::string, std::string> earshot;
    for (const std::string& kv : split0(read("env"))) {
      if (kv.rfind("EARSHOT_", 0) == 0) {
        earshot[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
      } else {
        env.insert(kv);
      }
    }
    CHECK(env == inherited);
    CHECK(earshot == std::map<std::string, std::string>{
                         {"EARSHOT_INCIDENT_ID", e.incident_id},
                         {"EARSHOT_SEQ", std::to_string(i + 1)},
                         {"EARSHOT_KIND", "open"},
                         {"EARSHOT_SEVERITY", "high"}});
    // stdin: one line of wire JSON, whole.
    const std::string input = read("stdin");
    REQUIRE(!input.empty());
    CHECK(input.back() == '\n');
    CHECK(std::count(input.begin(), input.end(), '\n') == 1);
    CheckWireJson(std::string_view(input).substr(0, input.size() - 1), p);
  }
}

TEST_CASE("Hostile posts: what a command or a receiver echoes back is shown terminal-safe",
          "[hostile]") {
  // Details are logged and printed by `earshot deadletter list` on an operator's terminal; a
  // command's stderr or a receiver's error body may quote the post it was given.
  const std::string hostile = "bad post: \x1b]0;pwned\x07 \x1b[2J \xc2\x9b" "31m \xe2\x80\xae"
                              "gnp.exe \xe2\x80\x8b \xff\xfe \x7f";
  SinkTempDir dir;
  {
    std::ofstream(dir.path() / "stderr.txt", std::ios::binary) << hostile << "\nsecond line\n";
    ExecSink sink(ExecSinkConfig{
        "x", {"/bin/sh", "-c", "cat \"$0\" >&2; exit 1", (dir.path() / "stderr.txt").string()},
        std::chrono::seconds(20)});
    std::stop_source never;
    DeliveryResult r = sink.Deliver(SampleEscalation(1), never.get_token());
    CHECK(r.kind == DeliveryResult::Kind::kRetry);
    CHECK_THAT(r.detail, Catch::StartsWith("/bin/sh: exit 1: bad post: \\x1b]0;pwned\\x07"));
    CHECK_THAT(r.detail, Catch::Contains("U+202Egnp.exe U+200B \\xff\\xfe \\x7f"));
    CheckShowable(r.detail, false, false);
  }
  {
    // 300 bytes of two-byte characters: the 200-byte cut falls between characters.
    std::string long_line;
    for (int k = 0; k < 110; ++k) long_line += "\xc3\xa9";
    std::ofstream(dir.path() / "long.txt", std::ios::binary) << long_line << " end\n";
    ExecSink sink(ExecSinkConfig{
        "x", {"/bin/sh", "-c", "printf x >&2; cat \"$0\" >&2; exit 1",
              (dir.path() / "long.txt").string()},
        std::chrono::seconds(20)});
    std::stop_source never;
    DeliveryResult r = sink.Deliver(SampleEscalation(1), never.get_token());
    CHECK(utf8::IsValid(r.detail));
    CHECK(r.detail.find("\\x") == std::string::npos);  // no half character shown as a byte
  }
  {
    Receiver rx;
    REQUIRE(rx.ok());
    rx.SetMode(Receiver::Mode::kError, hostile);
    WebhookSinkConfig c;
    c.name = "hook";
    c.url = rx.url("/hook");
    WebhookSink sink(c, Http(), RealClock());
    std::stop_source never;
    DeliveryResult r = sink.Deliver(SampleEscalation(1), never.get_token());
    CHECK(r.kind == DeliveryResult::Kind::kRetry);
    CHECK_THAT(r.detail, Catch::StartsWith("HTTP 500 from 127.0.0.1:"));
    CHECK_THAT(r.detail, Catch::Contains("bad post: \\x1b]0;pwned\\x07"));
    CheckShowable(r.detail, false, false);
  }
}

// Points this process's stdout at the slave side of a new pseudo-terminal while alive, so
// isatty(1) holds as on an operator's terminal.
class StdoutOnTerminal {
 public:
  StdoutOnTerminal() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    const int slave = ::open(::ptsname(master_), O_RDWR | O_NOCTTY);
    if (slave < 0) return;
    std::cout.flush();
    std::fflush(stdout);
    saved_ = ::dup(STDOUT_FILENO);
    ::dup2(slave, STDOUT_FILENO);
    ::close(slave);
  }
  ~StdoutOnTerminal() {
    if (saved_ >= 0) {
      std::cout.flush();
      std::fflush(stdout);
      ::dup2(saved_, STDOUT_FILENO);
      ::close(saved_);
    }
    if (master_ >= 0) ::close(master_);
  }
  bool ok() const { return saved_ >= 0; }

 private:
  int master_ = -1;
  int saved_ = -1;
};

// Sets (or with nullptr unsets) an environment variable while alive.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST_CASE("ConsoleSink: no colour under NO_COLOR, TERM=dumb or off a terminal, unless the operator "
          "says always",
          "[sinks][hostile]") {
  struct Case {
    const char* mode;
    bool terminal;
    const char* no_color;
    const char* term;
    bool color;
  } cases[] = {
      {"auto", true, nullptr, "xterm-256color", true},
      {"auto", true, nullptr, nullptr, true},
      {"auto", false, nullptr, "xterm-256color", false},  // a pipe, a file, journald
      {"auto", true, "1", "xterm-256color", false},
      {"auto", true, "0", "xterm-256color", false},  // any non-empty value, "0" included
      {"auto", true, "", "xterm-256color", true},    // empty is unset, per no-color.org
      {"auto", true, nullptr, "dumb", false},
      {"always", false, "1", "dumb", true},
      {"never", true, nullptr, "xterm-256color", false},
  };
  for (const Case& c : cases) {
    INFO(c.mode << " terminal=" << c.terminal << " NO_COLOR=" << (c.no_color ? c.no_color : "unset")
                << " TERM=" << (c.term ? c.term : "unset"));
    CHECK(ConsoleColor(c.mode, c.terminal, c.no_color, c.term) == c.color);
  }

  // The sink as the daemon builds it from `color: auto`, with stdout on a real pseudo-terminal.
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  auto printed = [&](const char* mode, const char* no_color, const char* term, bool terminal) {
    ScopedEnv nc("NO_COLOR", no_color);
    ScopedEnv t("TERM", term);
    Result<ConfiguredSink> sink = Status::Internal("not built");
    {
      std::optional<StdoutOnTerminal> tty;
      if (terminal) tty.emplace();
      if (terminal && !tty->ok()) return std::string("no pseudo-terminal");
      sink = registry.Create(SinkConfig{"console", "console", {{"color", mode}}});
    }
    if (!sink.ok()) return sink.status().ToString();
    std::ostringstream captured;
    std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
    std::stop_source never;
    const bool delivered = sink->sink->Deliver(SampleEscalation(1), never.get_token()).delivered();
    std::cout.rdbuf(saved);
    return delivered ? captured.str() : std::string("not delivered");
  };
  const std::string coloured = printed("auto", nullptr, "xterm-256color", true);
  CHECK_THAT(coloured, Catch::StartsWith("\x1b[1;31mHIGH"));
  for (const std::string& plain :
       {printed("auto", "1", "xterm-256color", true), printed("auto", nullptr, "dumb", true),
        printed("auto", nullptr, "xterm-256color", false),
        printed("never", nullptr, "xterm-256color", true)}) {
    CHECK_THAT(plain, Catch::StartsWith("HIGH "));
    CHECK(plain.find('\x1b') == std::string::npos);
  }
  CHECK_THAT(printed("always", "1", "dumb", false), Catch::StartsWith("\x1b[1;31mHIGH"));
}

}  // namespace
}  // namespace earshot
