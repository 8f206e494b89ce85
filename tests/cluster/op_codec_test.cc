// EncodeOp / DecodeOp: each kind of state op reads back as the same op, of the same kind.
#include "daemon/cluster/op_codec.h"

#include <catch2/catch.hpp>

#include "tests/cluster/codec_samples.h"

namespace earshot::cluster {
namespace {

using testing::kHardText;
using testing::kT1;
using testing::kT2;
using testing::kU64Max;

std::vector<StateOp> EveryOp() {
  return {
      AckOp{"inc-1", "jane \"on call\"", kT1},
      ResolveOp{"inc-2", kHardText, kT2},
      AddSilenceOp{SilenceRecord{"sil-3", R"(brand="acmeair",severity=~"low|medium")",
                                 "maintenance\nwindow", "ops", kT1, kT2}},
      ExpireSilenceOp{"sil-3", kT1},
      SinkCursorOp{"pager", kU64Max},
      DeadLetterOp{DeadLetter{"slack", kU64Max, "HTTP 400: \"bad\"", kT2, true}, true},
      DeadLetterOp{DeadLetter{"slack", 1, "", kT1, false}, false},
      RequeueOp{"pager", {1, 2, kU64Max}},
      RequeueOp{"", {}},
      ClearDeadLetterOp{"pager", 9},
      PruneSeenOp{kT2},
  };
}

TEST_CASE("op codec: every kind of op reads back as itself", "[cluster]") {
  for (const StateOp& op : EveryOp()) {
    const std::string json = EncodeOp(op);
    INFO(json);
    auto back = DecodeOp(json);
    INFO(back.status().ToString());
    REQUIRE(back.ok());
    CHECK(back->index() == op.index());
    CHECK(*back == op);
  }
}

TEST_CASE("op codec: the op names its kind on the wire", "[cluster]") {
  const std::pair<StateOp, std::string_view> named[] = {
      {AckOp{}, "ack"},
      {ResolveOp{}, "resolve"},
      {AddSilenceOp{}, "add_silence"},
      {ExpireSilenceOp{}, "expire_silence"},
      {SinkCursorOp{}, "sink_cursor"},
      {DeadLetterOp{}, "dead_letter"},
      {RequeueOp{}, "requeue"},
      {ClearDeadLetterOp{}, "clear_dead_letter"},
      {PruneSeenOp{}, "prune_seen"},
  };
  STATIC_REQUIRE(std::size(named) == std::variant_size_v<StateOp>);
  for (const auto& [op, name] : named) {
    const std::string json = EncodeOp(op);
    CHECK(json.find(fmt::format(R"("op":"{}")", name)) != std::string::npos);
    auto back = DecodeOp(json);
    REQUIRE(back.ok());
    CHECK(*back == op);
  }
}

TEST_CASE("op codec: an ack and a resolve of the same fields stay apart", "[cluster]") {
  auto back = DecodeOp(EncodeOp(ResolveOp{"inc-1", "jane", kT1}));
  REQUIRE(back.ok());
  CHECK(std::holds_alternative<ResolveOp>(*back));
}

}  // namespace
}  // namespace earshot::cluster
