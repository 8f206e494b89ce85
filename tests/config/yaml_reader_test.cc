#include "daemon/config/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

namespace earshot {
namespace {

std::optional<YamlFile> ParseOk(std::string_view text, Diagnostics* diags) {
  std::optional<YamlFile> f = YamlFile::Parse("t.yaml", text, diags);
  REQUIRE(f.has_value());
  return f;
}

TEST_CASE("yaml-cpp: keeps both pairs of a duplicate key, so the reader must refuse them",
          "[config]") {
  // The trap the reader closes (jbeder/yaml-cpp#60): no exception, two pairs, [] finds the first.
  YAML::Node n = YAML::Load("severity: low\nseverity: high\n");
  int pairs = 0;
  for (auto it = n.begin(); it != n.end(); ++it) ++pairs;
  CHECK(pairs == 2);
  CHECK(n["severity"].as<std::string>() == "low");

  Diagnostics diags;
  auto f = ParseOk("severity: low\nseverity: high\n", &diags);
  MapReader m(f->root(), "rule 'x'");
  std::string severity;
  m.Optional("severity", &severity).Finish();
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.all()[0].ToString() ==
        "t.yaml:2:1: error: duplicate key 'severity' in rule 'x' (first defined at line 1); "
        "remove one");
  CHECK(severity == "low");
}

TEST_CASE("MapReader: unknown keys are reported with a suggestion and position", "[config]") {
  Diagnostics diags;
  auto f = ParseOk("name: a\n  # comment\nseverty: high\ntimeout: 30s\n", &diags);
  MapReader m(f->root(), "rule 'a'");
  std::string name, severity;
  Duration timeout = 1s;
  m.Required("name", &name).Optional("severity", &severity).Optional("timeout", &timeout);
  m.Finish();
  m.Finish();  // idempotent
  CHECK(name == "a");
  CHECK(timeout == 30s);
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].ToString() ==
        "t.yaml:3:1: error: unknown key 'severty' in rule 'a' (did you mean 'severity'?)");
}

TEST_CASE("MapReader: missing required keys are reported at the mapping", "[config]") {
  Diagnostics diags;
  auto f = ParseOk("list:\n  - x\n", &diags);
  MapReader m(f->root(), "sink 'oncall'");
  std::string type;
  m.Required("type", &type).Allow("list");
  m.Finish();
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].ToString() ==
        "t.yaml:1:1: error: sink 'oncall': missing required key 'type'");
}

TEST_CASE("YamlFile: tabs in indentation are refused on every line", "[config]") {
  Diagnostics diags;
  CHECK_FALSE(YamlFile::Parse("t.yaml", "a:\n\tb: 1\nc:\n  \td: 2\n", &diags).has_value());
  REQUIRE(diags.all().size() == 2);
  CHECK(diags.all()[0].ToString() ==
        "t.yaml:2:1: error: tab in indentation; YAML indents with spaces only");
  CHECK(diags.all()[1].line == 4);
  CHECK(diags.all()[1].column == 3);
}

TEST_CASE("YamlFile: syntax errors carry a 1-based position", "[config]") {
  Diagnostics diags;
  CHECK_FALSE(YamlFile::Parse("t.yaml", "a: [1, 2\nb: 3\n", &diags).has_value());
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].line == 2);
  CHECK(diags.all()[0].column == 2);
  CHECK_THAT(diags.all()[0].message, Catch::StartsWith("invalid YAML: "));
}

TEST_CASE("YamlFile: a second document is one error at its '---' line", "[config]") {
  struct Case {
    const char* text;
    int line;  // of the second document's start
  };
  for (const Case& c : {
           Case{"a: 1\n---\nb: 2\n", 2},
           Case{"# leading comment\n---\na: 1\n\n--- # second\nb: 2\n", 5},
           Case{"---\n- x\n---\n- y\n---\n- z\n", 3},
           Case{"a: |\n  text\n--- \nb: 2\n", 3},
           Case{"a: 1\n...\n# between\nb: 2\n", 4},
       }) {
    INFO(c.text);
    Diagnostics diags;
    CHECK_FALSE(YamlFile::Parse("t.yaml", c.text, &diags).has_value());
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].line == c.line);
    CHECK(diags.all()[0].column == 1);
    CHECK_THAT(diags.all()[0].message, Catch::StartsWith("a second YAML document starts here"));
  }
  // One document opened with '---' (and closed with '...') is one document.
  Diagnostics diags;
  CHECK(YamlFile::Parse("t.yaml", "---\na: 1\n...\n", &diags).has_value());
  CHECK(diags.empty());
}

TEST_CASE("YamlFile: a stray ',' outside any list is one positioned error, not an endless parse",
          "[config]") {
  struct Case {
    const char* text;
    int line, column;
  };
  for (const Case& c : {
           Case{",\n", 1, 1},
           Case{"- a\n, b\n", 2, 1},
           Case{"# rules\n\n- a\n- b\n,\n", 5, 1},
           Case{"  ,\n", 1, 3},
       }) {
    INFO(c.text);
    Diagnostics diags;
    CHECK_FALSE(YamlFile::Parse("t.yaml", c.text, &diags).has_value());
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].line == c.line);
    CHECK(diags.all()[0].column == c.column);
    CHECK_THAT(diags.all()[0].message, Catch::Contains("','"));
  }
  // A ',' that does belong to a flow list, on a line of its own, is fine.
  Diagnostics diags;
  CHECK(YamlFile::Parse("t.yaml", "a: [b\n, c]\n", &diags).has_value());
  CHECK(diags.empty());
}

TEST_CASE("YamlFile: a missing file is one positioned error", "[config]") {
  Diagnostics diags;
  CHECK_FALSE(YamlFile::Load("/nonexistent/earshot.yaml", &diags).has_value());
  REQUIRE(diags.all().size() == 1);
  CHECK_THAT(diags.all()[0].ToString(),
             Catch::StartsWith("/nonexistent/earshot.yaml: error: cannot read the file"));
}

TEST_CASE("YamlValue: booleans are only true and false, strings stay strings", "[config]") {
  Diagnostics diags;
  auto f = ParseOk("a: true\nb: false\nc: yes\nd: \"true\"\ne: no\nf: on\n", &diags);
  MapReader m(f->root(), "x");
  bool a = false, b = true, c = false, d = false;
  std::string e;
  std::optional<bool> fval;
  m.Optional("a", &a).Optional("b", &b).Optional("c", &c).Optional("d", &d).Optional("e", &e);
  m.Optional("f", &fval).Finish();
  CHECK(a);
  CHECK_FALSE(b);
  CHECK_FALSE(c);
  CHECK(e == "no");
  CHECK_FALSE(fval.has_value());
  REQUIRE(diags.all().size() == 3);
  CHECK(diags.all()[0].ToString() ==
        "t.yaml:3:4: error: 'c' of x: expected true or false, got 'yes'");
  CHECK(diags.all()[1].message ==
        "'d' of x: expected true or false, got 'true' (quoted, so a string)");
  CHECK(diags.all()[2].line == 6);
}

TEST_CASE("YamlValue: durations need units, numbers are checked, kinds are named", "[config]") {
  Diagnostics diags;
  auto f = ParseOk(
      "interval: 30\nwait: 5m\ncount: 12\nbad_count: 1.5\nratio: 0.25\nname: [a]\n"
      "tags: [x, y]\none: z\nempty:\n",
      &diags);
  MapReader m(f->root(), "source 'a'");
  Duration interval = 1s, wait = 1s;
  int64_t count = 0, bad_count = 0;
  double ratio = 0;
  std::string name = "keep";
  std::vector<std::string> tags, one;
  std::string empty = "keep";
  m.Optional("interval", &interval).Optional("wait", &wait).Optional("count", &count);
  m.Optional("bad_count", &bad_count).Optional("ratio", &ratio).Optional("name", &name);
  m.Optional("tags", &tags).Optional("one", &one).Optional("empty", &empty).Finish();
  CHECK(interval == 1s);
  CHECK(wait == 5min);
  CHECK(count == 12);
  CHECK(ratio == 0.25);
  CHECK(name == "keep");
  CHECK(tags == std::vector<std::string>{"x", "y"});
  CHECK(one == std::vector<std::string>{"z"});
  std::vector<std::string> lines;
  for (const Diagnostic& d : diags.all()) lines.push_back(d.ToString());
  CHECK(lines == std::vector<std::string>{
                     "t.yaml:1:11: error: 'interval' of source 'a': duration '30' has no unit; "
                     "write a number with a unit: 250ms, 30s, 5m, 1h, 2d, 1h30m",
                     "t.yaml:4:12: error: 'bad_count' of source 'a': expected an integer, got "
                     "'1.5'",
                     "t.yaml:6:7: error: 'name' of source 'a': expected a string, got a list",
                     "t.yaml:9:1: error: 'empty' of source 'a': expected a string, got nothing",
                 });
}

TEST_CASE("MapReader: nested mappings and lists read declaratively", "[config]") {
  Diagnostics diags;
  auto f = ParseOk(R"(
sinks:
  - name: oncall
    type: pagerduty
    retry: {max: 5, backof: 1s}
  - name: log
    typo: file
)",
                   &diags);
  struct Sink {
    std::string name, type;
    int max = 0;
  };
  std::vector<Sink> sinks;
  MapReader root(f->root(), "earshot.yaml");
  root.Each("sinks", [&](const YamlValue& item) {
        Sink s;
        MapReader m(item, "sink");
        m.Required("name", &s.name).Required("type", &s.type);
        m.Map("retry", [&](MapReader& r) { r.Optional("max", &s.max).Allow("backoff"); });
        m.Finish();
        sinks.push_back(s);
      })
      .Finish();
  REQUIRE(sinks.size() == 2);
  CHECK(sinks[0].max == 5);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diags.all()) lines.push_back(d.ToString());
  CHECK(lines == std::vector<std::string>{
                     "t.yaml:5:21: error: unknown key 'backof' in 'retry' of sink (did you mean "
                     "'backoff'?)",
                     "t.yaml:6:5: error: sink: missing required key 'type'",
                     "t.yaml:7:5: error: unknown key 'typo' in sink (did you mean 'type'?)",
                 });
}

TEST_CASE("YamlValue: ReadChoice lists the known names and suggests one", "[config]") {
  Diagnostics diags;
  auto f = ParseOk("severity: hihg\n", &diags);
  MapReader m(f->root(), "rule 'r'");
  auto v = m.Get("severity");
  REQUIRE(v);
  CHECK_FALSE(v->ReadChoice("severity of rule 'r'", {"info", "low", "medium", "high"}));
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].ToString() ==
        "t.yaml:1:11: error: severity of rule 'r': unknown value 'hihg' (did you mean 'high'?); "
        "known: info, low, medium, high");
}

}  // namespace
}  // namespace earshot
