#include "daemon/sources/stream_gap_fill.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace earshot {
namespace {

using Opt = std::optional<std::string>;

TEST_CASE("StreamGapFill compares ids as numbers, by length then digits",
          "[sources][stream][gapfill]") {
  CHECK(StreamGapFill::Newer("10", "9"));
  CHECK_FALSE(StreamGapFill::Newer("9", "10"));
  CHECK(StreamGapFill::Newer("1000000000000000000", "999999999999999999"));
  CHECK(StreamGapFill::Newer("124", "123"));
  CHECK_FALSE(StreamGapFill::Newer("123", "123"));

  // Through Advance: "9" after "10" must not move the cursor back, though "9" > "10" as text.
  StreamGapFill gap;
  gap.Advance("10");
  gap.Advance("9");
  CHECK(gap.cursor() == Opt("10"));
  gap.Advance("11");
  CHECK(gap.cursor() == Opt("11"));
}

TEST_CASE("StreamGapFill has no gap to fill before anything was delivered",
          "[sources][stream][gapfill]") {
  StreamGapFill gap;
  CHECK_FALSE(gap.cursor());
  gap.Connected();
  CHECK_FALSE(gap.pending());
  // Without a gap pending the stream's ids move the cursor at once.
  gap.Advance("5");
  CHECK(gap.cursor() == Opt("5"));
  CHECK_FALSE(gap.held_newest());
}

TEST_CASE("StreamGapFill holds the cursor during a gap fill and then moves it to the newest",
          "[sources][stream][gapfill]") {
  StreamGapFill gap;
  gap.Advance("100");
  gap.Connected();
  REQUIRE(gap.pending());
  CHECK_FALSE(gap.started());
  gap.MarkStarted();
  CHECK(gap.started());

  // The stream talks while the gap fill runs: the cursor stays where a restart resumes from.
  gap.Advance("120");
  gap.Advance("99");  // older than both: changes nothing
  gap.Advance("130");
  gap.Advance("125");
  CHECK(gap.cursor() == Opt("100"));
  CHECK(gap.held_newest() == Opt("130"));

  SECTION("the held stream ids are newer than the gap fill's") {
    gap.GapFilled(Opt("110"));
    CHECK(gap.cursor() == Opt("130"));
  }
  SECTION("the gap fill's newest is newer than the held ids") {
    gap.GapFilled(Opt("1000"));
    CHECK(gap.cursor() == Opt("1000"));
  }
  SECTION("the gap fill found nothing") {
    gap.GapFilled();
    CHECK(gap.cursor() == Opt("130"));
  }
  CHECK_FALSE(gap.pending());
  CHECK_FALSE(gap.started());
  CHECK_FALSE(gap.held_newest());
  // After the gap fill the stream moves the cursor directly again.
  gap.Advance("2000");
  CHECK(gap.cursor() == Opt("2000"));
}

TEST_CASE("StreamGapFill's gap fill never moves the cursor back", "[sources][stream][gapfill]") {
  StreamGapFill gap;
  gap.Restore("500");
  REQUIRE(gap.pending());
  gap.GapFilled(Opt("400"));
  CHECK(gap.cursor() == Opt("500"));
  CHECK_FALSE(gap.pending());
}

TEST_CASE("StreamGapFill's SetCursor follows the gap fill's pages while the stream is held",
          "[sources][stream][gapfill]") {
  StreamGapFill gap;
  gap.Restore("10");
  gap.MarkStarted();
  gap.Advance("50");  // held
  gap.SetCursor("20");
  CHECK(gap.cursor() == Opt("20"));
  CHECK(gap.pending());
  gap.SetCursor("30");
  gap.GapFilled();
  CHECK(gap.cursor() == Opt("50"));
}

TEST_CASE("StreamGapFill starts a gap fill over on a reconnect", "[sources][stream][gapfill]") {
  StreamGapFill gap;
  gap.Restore("7");
  gap.MarkStarted();
  gap.Advance("9");
  REQUIRE(gap.held_newest() == Opt("9"));
  // The stream dropped mid gap fill: the new one's gap fill starts again from the cursor, and
  // what the lost stream delivered is fetched again rather than trusted.
  gap.Connected();
  CHECK(gap.pending());
  CHECK_FALSE(gap.started());
  CHECK_FALSE(gap.held_newest());
  CHECK(gap.cursor() == Opt("7"));
}

TEST_CASE("StreamGapFill remembers a bounded number of emitted ids", "[sources][stream][gapfill]") {
  StreamGapFill gap(3);
  CHECK_FALSE(gap.SeenBefore("1"));
  gap.Emitted("1");
  gap.Emitted("2");
  gap.Emitted("3");
  CHECK(gap.SeenBefore("1"));
  CHECK(gap.SeenBefore("3"));
  // Emitting one again does not make it newer: "1" is still the oldest.
  gap.Emitted("1");
  gap.Emitted("4");
  CHECK_FALSE(gap.SeenBefore("1"));
  CHECK(gap.SeenBefore("2"));
  CHECK(gap.SeenBefore("3"));
  CHECK(gap.SeenBefore("4"));
  gap.Emitted("5");
  CHECK_FALSE(gap.SeenBefore("2"));
  CHECK(gap.SeenBefore("5"));
}

TEST_CASE("StreamGapFill remembers 4096 emitted ids by default", "[sources][stream][gapfill]") {
  StreamGapFill gap;
  for (int i = 0; i < 4096; ++i) gap.Emitted(std::to_string(i));
  CHECK(gap.SeenBefore("0"));
  gap.Emitted("4096");
  CHECK_FALSE(gap.SeenBefore("0"));
  CHECK(gap.SeenBefore("1"));
  CHECK(gap.SeenBefore("4096"));
}

}  // namespace
}  // namespace earshot
