#include "daemon/escalator/routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "daemon/base/duration.h"
#include "daemon/config/diagnostics.h"
#include "daemon/escalator/incident_key.h"

namespace earshot {
namespace {

// "22:00" -> 1320; nullopt when not HH:MM within a day.
std::optional<int> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

// "+01:00", "-05:30", "Z" -> minutes east of UTC.
std::optional<int> ParseOffset(std::string_view text) {
  if (text == "Z" || text == "UTC") return 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  auto hm = ParseClock(text.substr(1));
  if (!hm || *hm > 14 * 60) return std::nullopt;
  return text[0] == '-' ? -*hm : *hm;
}

class TreeReader {
 public:
  explicit TreeReader(std::vector<Receiver>* receivers) : receivers_(receivers) {}

  void ReadReceiver(const YamlValue& item, size_t index) {
    MapReader r(item, fmt::format("receiver #{}", index + 1));
    Receiver rec;
    r.Required("name", &rec.name);
    if (!rec.name.empty()) r.set_subject(fmt::format("receiver '{}'", rec.name));
    r.Required("sinks", &rec.sinks).Finish();
    if (!r.ok()) return;
    if (rec.sinks.empty() && r.Has("sinks")) {
      item.Error(fmt::format("{}: 'sinks' is empty; name at least one sink", r.subject()));
    }
    for (const Receiver& other : *receivers_) {
      if (!rec.name.empty() && other.name == rec.name) {
        item.Error(fmt::format("receiver '{}' is defined twice; rename or remove one", rec.name));
      }
    }
    receivers_->push_back(std::move(rec));
  }

  // Reads one route; `parent` is nullptr for the root.
  void ReadRoute(const YamlValue& value, const Route* parent, Route* route, std::string subject) {
    MapReader r(value, subject);
    route->line = value.mark().line;
    if (!r.ok()) return;
    if (auto m = r.Get("matchers")) {
      if (parent == nullptr) {
        m->Error("the root route matches everything: move 'matchers' into a child route");
      } else if (auto list = m->ReadStringList(fmt::format("'matchers' of {}", subject))) {
        for (const std::string& text : *list) {
          auto parsed = LabelMatchers::Parse(text);
          if (!parsed.ok()) {
            m->Error(fmt::format("{}: {}", subject, parsed.status().message()));
          } else {
            route->matchers.push_back(std::move(parsed).value());
          }
        }
      }
    }  // a child route without matchers catches everything that reaches it
    std::optional<YamlValue> receiver_value = r.Get("receiver");
    if (receiver_value) {
      if (auto s = receiver_value->ReadString(fmt::format("'receiver' of {}", subject))) {
        route->receiver = *s;
        CheckReceiver(*receiver_value, *s, subject);
      }
    } else if (parent == nullptr) {
      value.Error(
          fmt::format("{}: missing required key 'receiver' (the default receiver)", subject));
    } else {
      route->receiver = parent->receiver;
    }
    r.Optional("continue", &route->continue_matching);
    if (parent == nullptr && route->continue_matching) {
      value.Error("the root route cannot 'continue': it has no siblings");
    }
    if (parent != nullptr) route->quiet_hours = parent->quiet_hours;
    r.Map("quiet_hours", [&](MapReader& q) { route->quiet_hours = ReadQuietHours(q); });
    if (parent != nullptr) route->timing = parent->timing;
    ReadTiming(r, &route->timing);
    if (parent != nullptr) route->unanswered = parent->unanswered;
    if (r.Has("unanswered")) {
      route->unanswered.clear();
      size_t level = 0;
      r.Each("unanswered", [&](const YamlValue& item) {
        if (auto l = ReadLevel(item, ++level, subject)) route->unanswered.push_back(*l);
      });
    }
    size_t i = 0;
    r.Each("routes", [&](const YamlValue& child) {
      Route c;
      ReadRoute(child, route, &c,
                fmt::format("route #{} under the route at line {}", ++i, route->line));
      route->routes.push_back(std::move(c));
    });
    r.Finish();
  }

 private:
  bool CheckReceiver(const YamlValue& at, const std::string& name, std::string_view subject) {
    for (const Receiver& r : *receivers_) {
      if (r.name == name) return true;
    }
    std::vector<std::string> names;
    for (const Receiver& r : *receivers_) names.push_back(r.name);
    const std::string known = names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
    at.Error(fmt::format("{}: no receiver named '{}'; define it under 'receivers' (known: {})",
                         subject, name, known));
    return false;
  }

  std::optional<UnansweredLevel> ReadLevel(const YamlValue& item, size_t number,
                                          std::string_view route_subject) {
    const std::string subject = fmt::format("unanswered level {} of {}", number, route_subject);
    MapReader r(item, subject);
    if (!r.ok()) return std::nullopt;
    UnansweredLevel level;
    level.line = item.mark().line;
    std::string after;
    r.Required("after", &after).Required("receiver", &level.receiver);
    r.Optional("ack_is_enough", &level.ack_is_enough).Finish();
    bool ok = !after.empty() && !level.receiver.empty();
    if (!after.empty() && after != "target") {
      Result<ResponseTarget> target = ParseResponseTarget(after);
      if (target.ok()) {
        level.after = *target;
      } else {
        r.Get("after")->Error(fmt::format("{}: {}, or \"target\" for the severity's response "
                                          "target",
                                          subject, target.status().message()));
        ok = false;
      }
    }
    if (!level.receiver.empty()) {
      ok = CheckReceiver(*r.Get("receiver"), level.receiver, subject) && ok;
    }
    if (!ok) return std::nullopt;
    return level;
  }

  // A timer written on the route replaces the inherited one; each must be >= 0.
  static void ReadTiming(MapReader& r, RouteTiming* timing) {
    const std::pair<const char*, std::optional<std::chrono::seconds>*> timers[] = {
        {"group_wait", &timing->group_wait},
        {"group_interval", &timing->group_interval},
        {"repeat_interval", &timing->repeat_interval}};
    for (const auto& [key, out] : timers) {
      std::optional<Duration> d;
      r.Optional(key, &d);
      if (!d) continue;
      if (d->count() < 0) {
        r.Get(key)->Error(fmt::format("{}: '{}' is negative; write 0s or more", r.subject(), key));
        continue;
      }
      *out = std::chrono::duration_cast<std::chrono::seconds>(*d);
    }
  }

  std::optional<QuietHours> ReadQuietHours(MapReader& q) {
    QuietHours h;
    std::string from, to, offset = "+00:00", max_severity = "low";
    bool ok = true;
    auto clock = [&](std::string_view key, const std::string& text, int* out) {
      if (text.empty()) return;  // missing: reported by Required
      if (auto m = ParseClock(text)) {
        *out = *m;
      } else {
        q.Get(key)->Error(
            fmt::format("'{}' of quiet_hours: '{}' is not a time of day; write "
                        "HH:MM, as \"22:00\"",
                        key, text));
        ok = false;
      }
    };
    q.Required("from", &from).Required("to", &to).Optional("utc_offset", &offset);
    q.Required("receiver", &h.receiver).Optional("max_severity", &max_severity);
    clock("from", from, &h.from_minute);
    clock("to", to, &h.to_minute);
    ok = ok && !from.empty() && !to.empty();
    if (ok && h.from_minute == h.to_minute) {
      q.value().Error("quiet_hours: 'from' and 'to' are equal; give a span such as 22:00 to 07:00");
      ok = false;
    }
    if (auto off = ParseOffset(offset)) {
      h.utc_offset_minutes = *off;
    } else {
      q.Get("utc_offset")
          ->Error(fmt::format(
              "'utc_offset' of quiet_hours: '{}' is not an offset; write +HH:MM or -HH:MM",
              offset));
      ok = false;
    }
    if (auto s = ParseSeverity(max_severity)) {
      h.max_severity = *s;
    } else {
      q.Get("max_severity")
          ->Error(fmt::format(
              "'max_severity' of quiet_hours: '{}' is not a severity (info, low, medium, high, "
              "critical)",
              max_severity));
      ok = false;
    }
    if (!h.receiver.empty()) {
      CheckReceiver(*q.Get("receiver"), h.receiver, "quiet_hours");
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
    return h;
  }

  std::vector<Receiver>* receivers_;
};

// Alertmanager's walk: the routes that match, deepest first where children matched.
void Walk(const Route& route, const Labels& labels, std::vector<const Route*>* out) {
  for (const LabelMatchers& m : route.matchers) {
    if (!m.Matches(labels)) return;
  }
  const size_t before = out->size();
  for (const Route& child : route.routes) {
    const size_t n = out->size();
    Walk(child, labels, out);
    if (out->size() > n && !child.continue_matching) break;
  }
  if (out->size() == before) out->push_back(&route);
}

}  // namespace

NotifyTiming RouteTiming::Over(const NotifyTiming& defaults) const {
  return {group_wait.value_or(defaults.group_wait),
          group_interval.value_or(defaults.group_interval),
          repeat_interval.value_or(defaults.repeat_interval)};
}

bool QuietHours::Contains(SystemTime t) const {
  const int64_t minutes =
      std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count() +
      utc_offset_minutes;
  const int of_day = static_cast<int>(((minutes % 1440) + 1440) % 1440);
  if (from_minute < to_minute) return of_day >= from_minute && of_day < to_minute;
  return of_day >= from_minute || of_day < to_minute;  // spans midnight
}

std::optional<RoutingTree> RoutingTree::Read(const YamlValue& routes) {
  Diagnostics* diags = routes.diagnostics();
  const int errors_before = diags->error_count();
  RoutingTree tree;
  TreeReader reader(&tree.receivers_);
  MapReader top(routes, "routes");
  if (!top.ok()) return std::nullopt;
  size_t i = 0;
  top.Each(
      "receivers", [&](const YamlValue& item) { reader.ReadReceiver(item, i++); },
      /*required=*/true);
  if (auto root = top.GetRequired("route")) {
    reader.ReadRoute(*root, nullptr, &tree.root_, "the root route");
  }
  top.Finish();
  if (diags->error_count() > errors_before) return std::nullopt;
  return tree;
}

Result<RoutingTree> RoutingTree::Load(const std::filesystem::path& config) {
  Diagnostics diags;
  std::optional<YamlFile> file = YamlFile::Load(config, &diags, config.string());
  if (!file) return Status::InvalidArgument(diags.ToText());
  // Only `routes:` is read: the rest of earshot.yaml belongs to the app's loader, so no
  // Finish() here (it would call every other key unknown).
  MapReader top(file->root(), config.string());
  if (!top.ok()) return Status::InvalidArgument(diags.ToText());
  // The root's defaults: the `escalation:` timers, read leniently (the app's loader reports
  // any mistake there; a timer it cannot read is taken at its default here).
  NotifyTiming defaults = EscalatorOptions{}.timing();
  if (std::optional<YamlValue> escalation = top.Get("escalation");
      escalation && escalation->IsMapping()) {
    MapReader e(*escalation, "escalation");
    const std::pair<const char*, std::chrono::seconds*> timers[] = {
        {"group_wait", &defaults.group_wait},
        {"group_interval", &defaults.group_interval},
        {"repeat_interval", &defaults.repeat_interval}};
    for (const auto& [key, out] : timers) {
      if (auto v = e.Get(key); v && v->IsScalar()) {
        if (auto d = ParseDuration(v->scalar()); d.ok() && d->count() >= 0) {
          *out = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
      }
    }
  }
  std::optional<YamlValue> routes = top.Get("routes");
  if (!routes) {
    return Status::NotFound(fmt::format(
        "{}: no 'routes:' key; add one with 'receivers' and a root 'route' (docs/escalation.md)",
        config.string()));
  }
  std::optional<RoutingTree> tree = Read(*routes);
  if (!tree) return Status::InvalidArgument(diags.ToText());
  tree->set_default_timing(defaults);
  return std::move(*tree);
}

RoutingTree RoutingTree::SendAllTo(std::string receiver, std::vector<std::string> sinks) {
  RoutingTree tree;
  tree.root_.receiver = receiver;
  tree.receivers_.push_back({std::move(receiver), std::move(sinks)});
  return tree;
}

const Receiver* RoutingTree::FindReceiver(std::string_view name) const {
  for (const Receiver& r : receivers_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<RouteMatch> RoutingTree::Match(const Labels& labels, SystemTime now) const {
  std::vector<const Route*> routes;
  Walk(root_, labels, &routes);
  std::optional<Severity> severity;
  if (auto it = labels.find("severity"); it != labels.end()) severity = ParseSeverity(it->second);
  std::vector<RouteMatch> out;
  for (const Route* route : routes) {
    RouteMatch m;
    m.route = route;
    m.route_line = route->line;
    std::string_view name = route->receiver;
    const auto& quiet = route->quiet_hours;
    if (quiet && severity && *severity <= quiet->max_severity && quiet->Contains(now)) {
      name = quiet->receiver;
      m.quiet = true;
    }
    m.receiver = FindReceiver(name);
    if (m.receiver == nullptr) continue;  // only in a hand-built tree: Read checks every name
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const RouteMatch& o) { return o.receiver == m.receiver; });
    if (!seen) out.push_back(m);
  }
  // A level's notification: the deciding route's level receiver hears it too.
  if (auto it = labels.find(std::string(kUnansweredLevelLabel));
      it != labels.end() && !routes.empty()) {
    const std::vector<UnansweredLevel>& levels = routes.front()->unanswered;
    const int n = std::atoi(it->second.c_str());
    if (n >= 1 && static_cast<size_t>(n) <= levels.size()) {
      if (const Receiver* r = FindReceiver(levels[n - 1].receiver)) {
        auto same = std::find_if(out.begin(), out.end(),
                                 [&](const RouteMatch& o) { return o.receiver == r; });
        if (same != out.end()) {
          same->level = n;
        } else {
          RouteMatch m;
          m.receiver = r;
          m.route = routes.front();
          m.route_line = levels[n - 1].line;
          m.level = n;
          out.push_back(m);
        }
      }
    }
  }
  return out;
}

std::vector<std::string> RoutingTree::ReceiverNames(const Labels& labels, SystemTime now) const {
  std::vector<std::string> names;
  for (const RouteMatch& m : Match(labels, now)) names.push_back(m.receiver->name);
  return names;
}

NotifyTiming RoutingTree::TimingFor(const Labels& labels, const NotifyTiming& defaults) const {
  std::vector<const Route*> routes;
  Walk(root_, labels, &routes);
  // Walk always yields at least the root; the first is the one that decides.
  return routes.empty() ? defaults : routes.front()->timing.Over(defaults);
}

const std::vector<UnansweredLevel>& RoutingTree::LevelsFor(const Labels& labels) const {
  std::vector<const Route*> routes;
  Walk(root_, labels, &routes);
  return routes.empty() ? root_.unanswered : routes.front()->unanswered;
}

const std::optional<QuietHours>& RoutingTree::QuietHoursFor(const Labels& labels) const {
  std::vector<const Route*> routes;
  Walk(root_, labels, &routes);
  return routes.empty() ? root_.quiet_hours : routes.front()->quiet_hours;
}

Labels RouteLabelsOf(const Escalation& e) {
  Labels labels = e.labels;
  labels.emplace("severity", SeverityName(e.severity));
  labels.emplace("rule", e.rule_id);
  labels.emplace("category", e.category);
  labels.emplace("kind", KindName(e.kind));
  labels.emplace("incident_id", e.incident_id);
  return labels;
}

}  // namespace earshot
