#include "sinks/sink_options.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "sinks/registry.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using testing::SinkTempDir;

const OptionSpec& Spec() {
  static const OptionSpec spec = {
      ConfigOption("url", OptionKind::kString, "where to POST").Required(),
      ConfigOption("timeout", OptionKind::kDuration, "request timeout").Default("10s"),
      ConfigOption("retries", OptionKind::kInt, "n"),
      ConfigOption("verbose", OptionKind::kBool, "b").Default("false"),
      ConfigOption("to", OptionKind::kList, "recipients"),
      ConfigOption("headers", OptionKind::kMap, "extra headers"),
      ConfigOption("action", OptionKind::kChoice, "a")
          .Default("trigger")
          .Choices({"trigger", "resolve"}),
      ConfigOption("routing_key", OptionKind::kString, "secret").Required().Secret(),
  };
  return spec;
}

TEST_CASE("CheckSinkOptions: typed values, defaults, lists and maps", "[sinks]") {
  SinkConfig c{"oncall",
               "webhook",
               {{"url", "http://127.0.0.1:1/hook"},
                {"retries", "3"},
                {"to", "a@x.example\nb@x.example, c@x.example"},
                {"headers.X-Team", "care"},
                {"headers.X-Env", "prod"},
                {"routing_key", "already-read-by-the-loader"}}};
  Result<SinkOptions> o = CheckSinkOptions(c, Spec(), "");
  INFO(o.status().ToString());
  REQUIRE(o.ok());
  CHECK(o->name() == "oncall");
  CHECK(o->String("url") == "http://127.0.0.1:1/hook");
  CHECK(o->Duration("timeout") == std::chrono::seconds(10));
  CHECK(o->Int("retries") == 3);
  CHECK(o->Bool("verbose") == false);
  CHECK(o->List("to") == std::vector<std::string>{"a@x.example", "b@x.example", "c@x.example"});
  CHECK(o->Map("headers") ==
        std::map<std::string, std::string>{{"X-Env", "prod"}, {"X-Team", "care"}});
  CHECK(o->String("action") == "trigger");
  CHECK(o->String("routing_key") == "already-read-by-the-loader");
}

TEST_CASE("CheckSinkOptions: every problem at once, named, with did-you-mean", "[sinks]") {
  struct Case {
    std::map<std::string, std::string> options;
    std::string message;
  } cases[] = {
      {{{"url", "u"}, {"routing_key", "k"}, {"timeuot", "5s"}},
       "unknown option 'timeuot' (did you mean 'timeout'?)"},
      {{{"url", "u"}, {"routing_key", "k"}, {"colour", "x"}}, "unknown option 'colour'"},
      {{{"routing_key", "k"}}, "missing required option 'url'"},
      {{{"url", "u"}},
       "missing required option 'routing_key' (give routing_key_file or routing_key_credential)"},
      {{{"url", "u"}, {"routing_key", "k"}, {"timeout", "30"}},
       "option 'timeout': duration '30' has no unit; write a number with a unit: 250ms, 30s, 5m, "
       "1h, 2d, 1h30m"},
      {{{"url", "u"}, {"routing_key", "k"}, {"timeout", "3 weeks"}},
       "option 'timeout': duration '3 weeks' has no unit; write a number with a unit: 250ms, 30s, "
       "5m, 1h, 2d, 1h30m"},
      {{{"url", "u"}, {"routing_key", "k"}, {"verbose", "yes"}},
       "option 'verbose': 'yes' is not a boolean; write true or false"},
      {{{"url", "u"}, {"routing_key", "k"}, {"retries", "-1"}},
       "option 'retries': '-1' is not a whole number"},
      {{{"url", "u"}, {"routing_key", "k"}, {"action", "resolv"}},
       "option 'action': 'resolv' is not one of trigger, resolve (did you mean 'resolve'?)"},
      {{{"url", "u"}, {"routing_key", "k"}, {"routing_key_file", "/x"}},
       "option 'routing_key' is given more than once; keep one of routing_key_file and "
       "routing_key_credential"},
      {{{"url", "u"}, {"routing_key_credential", "pd"}},
       "option 'routing_key_credential': $CREDENTIALS_DIRECTORY is not set; run under systemd "
       "with LoadCredential=pd:/path/to/file, or give routing_key_file"},
      {{{"timeuot", "1s"}},
       "unknown option 'timeuot' (did you mean 'timeout'?)\nmissing required option 'url'\n"
       "missing required option 'routing_key' (give routing_key_file or routing_key_credential)"},
  };
  for (const Case& c : cases) {
    Result<SinkOptions> o = CheckSinkOptions(SinkConfig{"s", "webhook", c.options}, Spec(), "");
    REQUIRE_FALSE(o.ok());
    CHECK(o.status().code() == Status::Code::kInvalidArgument);
    CHECK(o.status().message() == c.message);
  }
}

TEST_CASE("CheckSinkOptions: secrets from files and credentials, never quoted", "[sinks]") {
  SinkTempDir dir;
  const std::string secret = "R0UT1NG-KEY-d41d8cd98f00b204e980";
  std::ofstream(dir.path() / "pd") << secret << "\n";
  std::ofstream(dir.path() / "empty") << "\n";

  Result<SinkOptions> from_file = CheckSinkOptions(
      SinkConfig{"s", "t", {{"url", "u"}, {"routing_key_file", (dir.path() / "pd").string()}}},
      Spec(), "");
  REQUIRE(from_file.ok());
  CHECK(from_file->String("routing_key") == secret);  // trailing newline dropped

  Result<SinkOptions> from_cred =
      CheckSinkOptions(SinkConfig{"s", "t", {{"url", "u"}, {"routing_key_credential", "pd"}}},
                       Spec(), dir.path().string());
  REQUIRE(from_cred.ok());
  CHECK(from_cred->String("routing_key") == secret);

  const std::string missing = (dir.path() / "nope").string();
  Result<SinkOptions> no_file = CheckSinkOptions(
      SinkConfig{"s", "t", {{"url", "u"}, {"routing_key_file", missing}}}, Spec(), "");
  REQUIRE_FALSE(no_file.ok());
  CHECK(no_file.status().message() ==
        "option 'routing_key_file': cannot read " + missing +
            ": No such file or directory; create it (mode 0600) holding only the secret");

  Result<SinkOptions> empty = CheckSinkOptions(
      SinkConfig{"s", "t", {{"url", "u"}, {"routing_key_file", (dir.path() / "empty").string()}}},
      Spec(), "");
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.status().message(), Catch::EndsWith("is empty"));

  // A FIFO as a secret file is refused at once, naming it, instead of waiting for a writer.
  const std::string fifo = (dir.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  Result<SinkOptions> from_fifo = CheckSinkOptions(
      SinkConfig{"s", "t", {{"url", "u"}, {"routing_key_file", fifo}}}, Spec(), "");
  REQUIRE_FALSE(from_fifo.ok());
  CHECK_THAT(from_fifo.status().message(),
             Catch::StartsWith("option 'routing_key_file': " + fifo + ": not a regular file"));

  Result<SinkOptions> path_as_cred =
      CheckSinkOptions(SinkConfig{"s", "t", {{"url", "u"}, {"routing_key_credential", "../pd"}}},
                       Spec(), dir.path().string());
  REQUIRE_FALSE(path_as_cred.ok());
  CHECK_THAT(path_as_cred.status().message(), Catch::Contains("must be a credential name"));
}

TEST_CASE("SinkRegistry: unknown types, shared delivery options", "[sinks]") {
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  Result<ConfiguredSink> typo = registry.Create(SinkConfig{"x", "consol", {}});
  REQUIRE_FALSE(typo.ok());
  CHECK_THAT(
      typo.status().message(),
      Catch::StartsWith("unknown type 'consol' (did you mean 'console'?); known: console, ") &&
          Catch::Contains("file"));

  Result<ConfiguredSink> tuned = registry.Create(SinkConfig{"c",
                                                            "console",
                                                            {{"retry_initial", "250ms"},
                                                             {"retry_max", "1m"},
                                                             {"max_age", "2h"},
                                                             {"rate_limit", "30/m"}}});
  INFO(tuned.status().ToString());
  REQUIRE(tuned.ok());
  CHECK(tuned->policy.retry_initial == std::chrono::milliseconds(250));
  CHECK(tuned->policy.retry_max == std::chrono::minutes(1));
  CHECK(tuned->policy.max_age == std::chrono::hours(2));
  CHECK(tuned->policy.rate_limit == 30);
  CHECK(tuned->policy.rate_period == std::chrono::minutes(1));

  struct Bad {
    std::map<std::string, std::string> options;
    const char* message;
  } bad[] = {
      {{{"rate_limit", "fast"}},
       "option 'rate_limit': 'fast' is not a rate; write e.g. 1/s, 30/m or 5/10s"},
      {{{"rate_limit", "0/s"}},
       "option 'rate_limit': '0/s' is not a rate; write e.g. 1/s, 30/m or 5/10s"},
      {{{"retry_initial", "10s"}, {"retry_max", "1s"}},
       "options 'retry_initial' and 'retry_max': need 0 < retry_initial <= retry_max"},
  };
  for (const Bad& b : bad) {
    Result<ConfiguredSink> r = registry.Create(SinkConfig{"c", "console", b.options});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == b.message);
  }
}

// Envoy's config_test, for every built-in type: build it by name from its options, then drop
// each required option in turn and check the message names it.
TEST_CASE("SinkRegistry: every built-in type builds, and names each missing option", "[sinks]") {
  SinkTempDir dir;
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  std::map<std::string, std::map<std::string, std::string>> good = {
      {"console", {{"color", "never"}}},
      {"file", {{"path", (dir.path() / "e.jsonl").string()}}},
      {"webhook", {{"url", "http://127.0.0.1:9/hook"}}},
      {"slack", {{"webhook_url", "http://127.0.0.1:9/services/T/B/X"}}},
      {"pagerduty", {{"routing_key", "r0ut1ngk3y"}}},
      {"email",
       {{"url", "smtp://127.0.0.1:2525"}, {"from", "earshot@x.example"}, {"to", "ops@x.example"}}},
      {"exec", {{"command", "/bin/cat"}}},
  };
  for (const std::string& type : registry.types()) {
    INFO(type);
    REQUIRE(good.count(type) == 1);
    Result<ConfiguredSink> built = registry.Create(SinkConfig{"s", type, good[type]});
    INFO(built.status().ToString());
    REQUIRE(built.ok());
    REQUIRE(built->sink != nullptr);
    for (const ConfigOption& opt : registry.Find(type)->options()) {
      if (!opt.required) continue;
      std::map<std::string, std::string> without = good[type];
      without.erase(opt.name);
      Result<ConfiguredSink> missing = registry.Create(SinkConfig{"s", type, without});
      REQUIRE_FALSE(missing.ok());
      CHECK_THAT(missing.status().message(),
                 Catch::Contains("missing required option '" + opt.name + "'"));
    }
  }
}

}  // namespace
}  // namespace earshot
