// RoutedSink: the routes decide which sinks hear an escalation; a level of the unanswered policy
// reaches its receiver's sinks as well as the route's; what goes elsewhere is passed over.
#include "daemon/app/routed_sink.h"

#include <catch2/catch.hpp>

#include "tests/escalator/config_fixture.h"

namespace earshot {
namespace {

class CountingSink final : public Sink {
 public:
  DeliveryResult Deliver(const Escalation&, std::stop_token) override {
    ++delivered;
    return DeliveryResult::Delivered();
  }
  int delivered = 0;
};

std::shared_ptr<const RoutingTree> Tree() {
  return testing::SharedRoutesFrom(R"(routes:
  receivers:
    - {name: support, sinks: [slack]}
    - {name: team-lead, sinks: [lead-pager]}
  route:
    receiver: support
    unanswered:
      - {after: 30m, receiver: team-lead}
)");
}

TEST_CASE("RoutedSink: a level reaches its receiver's sink, other escalations pass it over",
          "[app]") {
  auto tree = Tree();
  auto lead = std::make_unique<CountingSink>();
  CountingSink* lead_inner = lead.get();
  RoutedSink lead_pager("lead-pager", std::move(lead), tree);
  auto slack = std::make_unique<CountingSink>();
  CountingSink* slack_inner = slack.get();
  RoutedSink slack_sink("slack", std::move(slack), tree);
  std::stop_source never;

  Escalation open;
  open.kind = Escalation::Kind::kOpen;
  open.severity = Severity::kHigh;
  open.labels = {{"brand", "acmeair"}};
  CHECK(!lead_pager.RoutedHere(open));
  CHECK(slack_sink.RoutedHere(open));
  CHECK(slack_sink.Deliver(open, never.get_token()).delivered());
  CHECK(slack_inner->delivered == 1);
  CHECK(lead_inner->delivered == 0);

  Escalation level = open;
  level.kind = Escalation::Kind::kUpdate;
  level.reason = "unanswered for 30m (level 1)";
  level.labels["unanswered_level"] = "1";
  CHECK(lead_pager.RoutedHere(level));
  CHECK(slack_sink.RoutedHere(level));
  CHECK(lead_pager.Deliver(level, never.get_token()).delivered());
  CHECK(lead_inner->delivered == 1);
}

}  // namespace
}  // namespace earshot
