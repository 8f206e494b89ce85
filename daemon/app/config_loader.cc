#include "daemon/app/config_loader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/app/cluster_section.h"
#include "daemon/app/section_reading.h"
#include "daemon/base/ascii.h"
#include "daemon/base/log.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/sources/source_registry.h"
#include "sinks/registry.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

// The network's own keys, as its factory declares them: the options, then the checks that span
// several of them, then the credential (whose need may depend on the options: a Mastodon
// hashtag is public, its mentions are not).
void ReadNetworkKeys(MapReader& m, const YamlValue& item, const fs::path& base_dir,
                     const SourceFactory& factory, SourceSettings* s) {
  ReadSourceOptions(m, factory.options(), &s->options);
  factory.Check(SourceCheck(m, item), s);
  for (const ConfigOption& row : factory.options()) {
    if (!row.secret) continue;
    if (auto secret = ReadSecret(m, row.name, base_dir, factory.SecretRequired(*s),
                                 fmt::format("source '{}'", s->name), s)) {
      s->secret = *secret;
    }
  }
}

void ReadSource(const YamlValue& item, const fs::path& base_dir, AppConfig* config,
                std::set<std::string>* names) {
  MapReader m(item, "source");
  if (!m.ok()) return;
  SourceSettings s;
  s.file = item.file();
  s.line = item.mark().line;
  s.column = item.mark().column;
  Duration poll = s.poll_interval;
  m.Required("name", &s.name);
  if (!s.name.empty() && !names->insert(s.name).second) {
    m.Get("name")->Error(fmt::format("source '{}' is declared twice; names key the cursors and "
                                     "must be unique", s.name));
  }
  const SourceFactory* factory = nullptr;
  if (auto type = m.GetRequired("type")) {
    if (auto t = type->ReadChoice("type of source", BuiltinSources().types())) {
      s.type = *t;
      factory = BuiltinSources().Find(*t);
    }
  }
  m.Optional("poll_interval", &poll).Optional("limit", &s.limit);
  s.poll_interval = poll;
  if (factory != nullptr) ReadNetworkKeys(m, item, base_dir, *factory, &s);
  if (poll < std::chrono::milliseconds(50)) {
    m.Get("poll_interval")->Error(
        fmt::format("source '{}': poll_interval below 50ms would hammer the server", s.name));
  }
  m.Finish();
  config->sources.push_back(std::move(s));
}

// True when `option` of sink type `type` is declared secret by its factory.
bool IsSecretOption(const std::string& type, const std::string& option) {
  static const SinkRegistry* registry = [] {
    auto* r = new SinkRegistry;
    RegisterBuiltinSinks(*r);
    return r;
  }();
  const SinkFactory* factory = registry->Find(type);
  if (factory == nullptr) return false;  // the registry names the unknown type later
  for (const ConfigOption& o : factory->options()) {
    if (o.name == option) return o.secret;
  }
  return false;
}

void ReadSink(const YamlValue& item, const fs::path& base_dir, AppConfig* config,
              std::set<std::string>* names) {
  MapReader m(item, "sink");
  if (!m.ok()) return;
  SinkSettings s;
  s.file = item.file();
  s.line = item.mark().line;
  s.column = item.mark().column;
  m.Required("name", &s.name).Required("type", &s.type);
  if (!s.name.empty() && !names->insert(s.name).second) {
    m.Get("name")->Error(fmt::format("sink '{}' is declared twice; names key the delivery "
                                     "cursors and must be unique", s.name));
  }
  // The remaining keys are the sink's own options, checked against its factory's OptionSpec
  // when the sink is built. Secrets arrive through *_file / *_credential.
  for (const auto& [key_value, value] : m.Entries()) {
    const std::string& key = key_value.scalar();
    if (key == "name" || key == "type") continue;
    m.Allow(key);
    const std::string_view k = key;
    auto secret_base = [&]() -> std::optional<std::string> {
      for (std::string_view suffix : {"_file", "_credential"}) {
        if (k.size() > suffix.size() && k.substr(k.size() - suffix.size()) == suffix) {
          return std::string(k.substr(0, k.size() - suffix.size()));
        }
      }
      return std::nullopt;
    }();
    if (secret_base) {
      if (auto secret = ReadSecret(m, *secret_base, base_dir, false,
                                   fmt::format("sink '{}'", s.name))) {
        s.options[*secret_base] = *secret;
      }
    } else if (IsSecretOption(s.type, key)) {
      value.Error(fmt::format("sink '{}': {} is a secret and never goes in the config file; use "
                              "{}_file or {}_credential",
                              s.name, key, key, key));
    } else if (value.IsMapping()) {
      for (const auto& [sub_key, sub_value] : MapReader(value, key).Entries()) {
        if (auto v = sub_value.ReadString(fmt::format("{}.{}", key, sub_key.scalar()))) {
          s.options[fmt::format("{}.{}", key, sub_key.scalar())] = *v;
        }
      }
    } else if (value.IsSequence()) {
      if (auto list = value.ReadStringList(key)) {
        s.options[key] = fmt::format("{}", fmt::join(*list, ","));
      }
    } else if (auto v = value.ReadString(fmt::format("{} of sink '{}'", key, s.name))) {
      // Paths are relative to the config file, like every other path in it.
      const bool is_path = key == "path" || (k.size() > 5 && k.substr(k.size() - 5) == "_path");
      s.options[key] = is_path ? ResolveConfigPath(base_dir, *v).string() : *v;
    }
  }
  m.Finish();
  config->sinks.push_back(std::move(s));
}

std::chrono::seconds Seconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

void ReadSeverity(MapReader& m, std::string_view key, Severity* out) {
  if (auto v = m.Get(key)) {
    if (auto name = v->ReadChoice(key, {"info", "low", "medium", "high", "critical"})) {
      *out = *ParseSeverity(*name);
    }
  }
}

void ReadEscalation(MapReader& e, EscalatorOptions* o) {
  Duration repeat = o->repeat_interval, quiet = o->resolve_after_quiet;
  Duration group_wait = o->group_wait, group_interval = o->group_interval;
  Duration retention = o->seen_retention;
  Duration silent = o->source_silent_after;
  int64_t posts = static_cast<int64_t>(o->posts_per_escalation);
  e.Optional("repeat_interval", &repeat)
      .Optional("resolve_after_quiet", &quiet)
      .Optional("group_wait", &group_wait)
      .Optional("group_interval", &group_interval)
      .Optional("followers_raise_one", &o->followers_raise_one)
      .Optional("followers_raise_two", &o->followers_raise_two)
      .Optional("sentiment_raise", &o->sentiment_raise)
      .Optional("complaint_raise", &o->complaint_raise)
      .Optional("vip_authors", &o->vip_authors)
      .Optional("staff_authors", &o->staff_authors)
      .Optional("posts_per_escalation", &posts)
      .Optional("seen_retention", &retention)
      .Optional("source_silent_after", &silent);
  ReadSeverity(e, "vip_severity", &o->vip_severity);
  // Every complaint scores at least 0, so a threshold below it would raise them all: a typo.
  // Above 1 is allowed and documented as "off" (no score reaches it).
  if (!(o->complaint_raise >= 0.0)) {
    e.Get("complaint_raise")->Error(fmt::format(
        "escalation.complaint_raise: {} is below 0; the complaint score is a probability "
        "(0..1): write e.g. 0.9, or 2 to turn this raise off",
        o->complaint_raise));
  }
  o->repeat_interval = Seconds(repeat);
  o->resolve_after_quiet = Seconds(quiet);
  o->group_wait = Seconds(group_wait);
  o->group_interval = Seconds(group_interval);
  o->seen_retention = Seconds(retention);
  o->source_silent_after = Seconds(silent);
  o->posts_per_escalation = static_cast<size_t>(std::clamp<int64_t>(posts, 1, 50));
  for (auto* list : {&o->vip_authors, &o->staff_authors}) {
    for (std::string& handle : *list) {
      if (!handle.empty() && handle[0] == '@') handle.erase(0, 1);
      AsciiLowerInPlace(handle);
    }
  }
  e.Map("momentum", [&](MapReader& m) {
    const std::pair<const char*, int64_t*> thresholds[] = {
        {"replies_raise_one", &o->momentum_replies_raise_one},
        {"boosts_raise_one", &o->momentum_boosts_raise_one},
        {"likes_raise_one", &o->momentum_likes_raise_one},
        {"distinct_authors_raise_one", &o->momentum_authors_raise_one}};
    for (const auto& [key, out] : thresholds) {
      m.Optional(key, out);
      if (*out < 0) {
        m.Get(key)->Error(fmt::format(
            "escalation.momentum.{}: {} is negative; write 0 to turn this measure off", key,
            *out));
      }
    }
  });
  e.Map("new_hashtag", [&](MapReader& h) {
    h.Optional("enabled", &o->new_hashtag_enabled)
        .Optional("min_posts", &o->new_hashtag_min_posts)
        .Optional("known", &o->known_hashtags)
        .Optional("known_from_rules", &o->new_hashtag_known_from_rules);
    ReadSeverity(h, "severity", &o->new_hashtag_severity);
    if (o->new_hashtag_min_posts < 1) {
      h.Get("min_posts")->Error(fmt::format(
          "escalation.new_hashtag.min_posts: {} is below 1; write 1 to signal at the first "
          "complaint, or enabled: false to turn it off",
          o->new_hashtag_min_posts));
    }
  });
  e.Map("surge", [&](MapReader& s) {
    Duration window = o->surge_window;
    s.Optional("enabled", &o->surge_enabled)
        .Optional("window", &window)
        .Optional("min_count", &o->surge_min_count)
        .Optional("factor", &o->surge_factor)
        .Optional("min_distinct_authors", &o->surge_min_distinct_authors)
        .Optional("ewma_alpha", &o->surge_ewma_alpha)
        .Optional("inhibits", &o->surge_inhibits);
    ReadSeverity(s, "severity", &o->surge_severity);
    o->surge_window = Seconds(window);
  });
}

// Every receiver must name sinks that exist: a typo would silently page nobody.
void CheckReceivers(const RoutingTree& routes, const std::vector<SinkSettings>& sinks,
                    const YamlValue& where) {
  for (const Receiver& r : routes.receivers()) {
    for (const std::string& sink : r.sinks) {
      const bool known = std::any_of(sinks.begin(), sinks.end(),
                                     [&](const SinkSettings& s) { return s.name == sink; });
      if (!known) {
        where.Error(fmt::format("receiver '{}' names sink '{}', which is not among sinks:", r.name,
                                sink));
      }
    }
  }
}

}  // namespace

Result<AppConfig> LoadAppConfig(const std::filesystem::path& path, Diagnostics* diags) {
  std::optional<YamlFile> file = YamlFile::Load(path, diags, path.string());
  if (!file) {
    return Status::InvalidArgument(fmt::format("{}: cannot be read as YAML", path.string()));
  }
  const fs::path base_dir = fs::absolute(path).parent_path();
  AppConfig c;
  c.file = path;
  MapReader root(file->root(), "earshot.yaml");
  if (root.ok()) {
    std::string state_dir = "/var/lib/earshot";
    root.Optional("brands", &c.brands).Optional("state_dir", &state_dir);
    c.state_dir = ResolveConfigPath(base_dir, state_dir);
    root.Map("log", [&](MapReader& log) {
      if (auto v = log.Get("level")) {
        if (auto l = v->ReadChoice("log level", {"debug", "info", "warn", "error"})) c.log_level = *l;
      }
      if (auto v = log.Get("format")) {
        if (auto f = v->ReadChoice("log format", {"keyvalue", "json"})) c.log_format = *f;
      }
    });
    root.Map(
        "rules",
        [&](MapReader& rules) {
          std::vector<std::string> files, overlays, complaint_overlays;
          std::string lexicon_dir;
          rules.Required("files", &files)
              .Required("lexicon_dir", &lexicon_dir)
              .Optional("lexicon_overlays", &overlays)
              .Optional("complaint_overlays", &complaint_overlays)
              .Optional("require_complaint_rules", &c.require_complaint_rules);
          for (const auto& f : files) c.rule_files.push_back(ResolveConfigPath(base_dir, f));
          // Where each setting is written: a file it names that cannot be read is reported at
          // the line that names it, not at the missing path.
          auto at = [](const YamlValue& v) {
            return ConfigPosition{v.file(), v.mark().line, v.mark().column};
          };
          if (auto v = rules.Get("files")) {
            c.rules_position = at(*v);
            std::vector<YamlValue> items;
            if (v->IsSequence()) items = v->Items("rules.files");
            for (size_t i = 0; i < files.size(); ++i) {
              c.rule_file_positions.push_back(items.size() == files.size() ? at(items[i])
                                                                           : at(*v));
            }
          }
          if (auto v = rules.Get("lexicon_dir")) c.lexicon_dir_position = at(*v);
          if (auto v = rules.Get("require_complaint_rules")) {
            c.require_complaint_rules_position = at(*v);
          }
          for (const auto& f : overlays) {
            c.lexicon_overlays.push_back(ResolveConfigPath(base_dir, f));
          }
          for (const auto& f : complaint_overlays) {
            c.complaint_overlays.push_back(ResolveConfigPath(base_dir, f));
          }
          c.lexicon_dir = ResolveConfigPath(base_dir, lexicon_dir);
        },
        /*required=*/true);
    std::set<std::string> source_names, sink_names;
    root.Each("sources", [&](const YamlValue& item) { ReadSource(item, base_dir, &c, &source_names); });
    root.Map("escalation", [&](MapReader& e) {
      ReadEscalation(e, &c.escalation);
      if (e.Optional("silences_file", &c.silences_file_name); !c.silences_file_name.empty()) {
        c.silences_file = ResolveConfigPath(base_dir, c.silences_file_name);
      }
    });
    if (auto routes = root.Get("routes")) {
      if (auto tree = RoutingTree::Read(*routes)) {
        tree->set_default_timing(c.escalation.timing());
        c.routes = std::make_shared<const RoutingTree>(std::move(*tree));
        // Routes may set their own group_wait / group_interval / repeat_interval.
        c.escalation.routes = c.routes;
      }
    }
    if (auto response = root.Get("response")) {
      if (auto policy = ReadResponsePolicy(*response)) {
        c.escalation.response = std::make_shared<const ResponsePolicy>(std::move(*policy));
      }
    }
    root.Map("bus", [&](MapReader& bus) { bus.Optional("endpoint", &c.bus_endpoint); });
    root.Map("metrics", [&](MapReader& m) { m.Optional("address", &c.metrics_address); });
    root.Map("console", [&](MapReader& m) {
      m.Optional("enabled", &c.console.enabled);
      Duration ttl = c.console.session_ttl;
      m.Optional("session_ttl", &ttl);
      c.console.session_ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
      if (auto secret = ReadSecret(m, "secret", base_dir, false, "console")) {
        c.console.secret = *secret;
      }
    });
    if (auto v = root.Get("cluster")) {
      c.cluster_position = ConfigPosition{v->file(), v->mark().line, v->mark().column};
    }
    root.Map("cluster", [&](MapReader& m) { c.cluster = ReadClusterSection(m, base_dir); });
    root.Map("watchdog", [&](MapReader& w) {
      Duration stale = c.stale_after;
      w.Optional("stale_after", &stale);
      c.stale_after = stale;
    });
    Duration grace = c.shutdown_grace;
    root.Optional("shutdown_grace", &grace);
    c.shutdown_grace = grace;
    root.Each("sinks", [&](const YamlValue& item) { ReadSink(item, base_dir, &c, &sink_names); });
    root.Finish();
    // New brand hashtags look for the brands the rule packs are filled with.
    c.escalation.brands = c.brands;
    if (c.routes) CheckReceivers(*c.routes, c.sinks, *root.Get("routes"));
    if (c.sinks.empty() && !diags->has_errors()) {
      file->root().Warning("no sinks: escalations are kept in the outbox and reach nobody");
    }
  }
  if (diags->has_errors()) {
    return Status::InvalidArgument(fmt::format("{}: {} configuration error(s)", path.string(),
                                               diags->error_count()));
  }
  return c;
}

std::optional<std::vector<FileSilence>> LoadConfiguredSilences(const AppConfig& config,
                                                               SystemTime now,
                                                               Diagnostics* diags) {
  if (config.silences_file.empty()) return std::vector<FileSilence>{};
  return LoadSilenceFile(config.silences_file, config.silences_file_name, now, diags);
}

bool CheckRulePaths(const AppConfig& config, Diagnostics* diags) {
  // Paths given on a command line (`earshot score --rules`) have no line to point at: the file
  // readers name them.
  if (config.file.empty()) return true;
  bool ok = true;
  auto report = [&](const ConfigPosition& at, const std::string& what) {
    // A config built in code has no positions: name the config file itself.
    diags->Error(at.file.empty() ? config.file.string() : at.file, at.line, at.column, what);
    ok = false;
  };
  const std::string relative =
      "; a relative path is read from the directory of earshot.yaml";
  for (size_t i = 0; i < config.rule_files.size(); ++i) {
    std::error_code ec;
    const fs::path& p = config.rule_files[i];
    if (fs::exists(p, ec) || ec) continue;  // other problems are the file reader's to name
    report(i < config.rule_file_positions.size() ? config.rule_file_positions[i]
                                                 : config.rules_position,
           fmt::format("rules.files[{}]: {}: no such file{}", i, p.string(), relative));
  }
  std::error_code ec;
  if (!fs::exists(config.lexicon_dir, ec) && !ec) {
    report(config.lexicon_dir_position,
           fmt::format("rules.lexicon_dir: {}: no such directory{}; the package installs it "
                       "as /usr/share/earshot/rules/lexicon",
                       config.lexicon_dir.string(), relative));
  } else if (!ec && !fs::is_directory(config.lexicon_dir, ec)) {
    report(config.lexicon_dir_position,
           fmt::format("rules.lexicon_dir: {}: not a directory; name the directory that holds "
                       "vader_lexicon.txt", config.lexicon_dir.string()));
  }
  return ok;
}

void ConfigureLogging(const AppConfig& config) {
  log::Level level = log::Level::kInfo;
  if (log::ParseLevel(config.log_level, &level)) log::SetLevel(level);
  log::SetFormat(config.log_format == "json" ? log::Format::kJson : log::Format::kKeyValue);
}

}  // namespace earshot
