// RoutedSink: puts the `routes:` tree in front of one sink. Every runner still reads every
// escalation from the bus and the outbox (so its cursor stays simple and gap-free); the ones the
// tree does not route to this sink are passed over (RoutedHere), without delivery and without
// spending the sink's rate limit. The decision uses the
// escalation's own time, so a replay after a restart routes exactly as the first attempt did,
// quiet hours included.
#pragma once

#include <memory>
#include <string>

#include "daemon/escalator/routes.h"
#include "sinks/sink.h"

namespace earshot {

class RoutedSink final : public Sink {
 public:
  RoutedSink(std::string sink_name, SinkPtr inner, std::shared_ptr<const RoutingTree> routes)
      : sink_name_(std::move(sink_name)), inner_(std::move(inner)), routes_(std::move(routes)) {}

  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override {
    return inner_->Deliver(e, stop);
  }
  void Reopen() override { inner_->Reopen(); }

  // True when some receiver the escalation reaches lists this sink.
  bool RoutedHere(const Escalation& e) const override {
    for (const RouteMatch& m : routes_->Match(RouteLabelsOf(e), e.at)) {
      for (const std::string& sink : m.receiver->sinks) {
        if (sink == sink_name_) return true;
      }
    }
    return false;
  }

 private:
  const std::string sink_name_;
  SinkPtr inner_;
  std::shared_ptr<const RoutingTree> routes_;
};

}  // namespace earshot
