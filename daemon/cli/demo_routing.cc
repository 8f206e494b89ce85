#include "daemon/cli/demo_routing.h"

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <utility>

#include "daemon/config/diagnostics.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/escalator/routes.h"

namespace earshot {
namespace {

// Read through the same readers as earshot.yaml, so the demo cannot drift from what an
// operator can write. Only the baggage route has a level: one incident of the morning (the lost
// bag on Reddit) is left unanswered on purpose, and a level on every route would page the team
// lead about each complaint the demo does not answer. The targets are production-sized: none
// falls due during the demo, only the level's demo-sized `after` does.
constexpr const char* kDemoRouting = R"(response:
  targets: {critical: 15m, high: 1h, medium: 4h business, low: next business day}
routes:
  receivers:
    - name: support
      sinks: [console, archive]
    - name: team-lead
      sinks: [team-lead]
  route:
    receiver: support
    routes:
      - matchers: [team=baggage]
        unanswered:
          - after: 3s            # a demo-sized delay; in production "target" or "30m"
            receiver: team-lead
)";

}  // namespace

std::filesystem::path DemoLevelFile(const std::filesystem::path& state_dir) {
  return state_dir / "team-lead.jsonl";
}

Status ApplyDemoRouting(AppConfig& config, bool with_pager) {
  Diagnostics diags;
  std::string text = kDemoRouting;
  if (with_pager) {
    const std::string support = "sinks: [console, archive]";
    text.replace(text.find(support), support.size(),
                 fmt::format("sinks: [console, archive, {}]", kDemoPagerSink));
  }
  std::optional<YamlFile> file = YamlFile::Parse("(demo routes)", text, &diags);
  if (file) {
    MapReader top(file->root(), "(demo routes)");
    std::optional<ResponsePolicy> policy;
    if (auto response = top.Get("response")) policy = ReadResponsePolicy(*response);
    std::optional<RoutingTree> tree;
    if (auto routes = top.Get("routes")) tree = RoutingTree::Read(*routes);
    top.Finish();
    if (policy && tree && !diags.has_errors()) {
      tree->set_default_timing(config.escalation.timing());
      config.routes = std::make_shared<const RoutingTree>(std::move(*tree));
      config.escalation.routes = config.routes;
      config.escalation.response = std::make_shared<const ResponsePolicy>(std::move(*policy));
      return Status::Ok();
    }
  }
  return Status::Internal("the demo's routes do not read:\n" + diags.ToText());
}

}  // namespace earshot
