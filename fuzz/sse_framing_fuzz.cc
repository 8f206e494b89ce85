// SseParser: the event stream Mastodon's streaming API sends. Bytes arrive in arbitrary pieces,
// so the events must not depend on where the pieces were cut (sse_parser.h), and no field
// carries a line ending.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "daemon/net/sse_parser.h"
#include "fuzz/fuzz_check.h"

namespace {

bool SameEvents(const std::vector<earshot::SseEvent>& a, const std::vector<earshot::SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  earshot::SseParser whole;
  std::vector<earshot::SseEvent> events;
  whole.Feed(bytes, &events);
  for (const auto& e : events) {
    FUZZ_CHECK(e.type.find_first_of("\r\n") == std::string::npos, "an event type is one line");
    FUZZ_CHECK(e.id.find_first_of("\r\n") == std::string::npos, "an event id is one line");
    FUZZ_CHECK(e.data.find('\r') == std::string::npos, "data lines are joined with LF only");
    FUZZ_CHECK(!e.type.empty(), "an event has a type, 'message' by default");
  }
  // Nothing past the last line ending is buffered twice: what is pending is a part of the input.
  FUZZ_CHECK(whole.pending_bytes() <= size, "pending bytes come from the input");

  // The same bytes cut into pieces whose sizes the input itself chooses (so a CR LF, a field
  // name or a UTF-8 sequence gets split somewhere): the same events and comments.
  earshot::SseParser pieces;
  std::vector<earshot::SseEvent> piece_events;
  size_t pos = 0, k = 0;
  while (pos < size) {
    const size_t n = 1 + (static_cast<size_t>(data[k++ % size]) % 7);
    const size_t take = n < size - pos ? n : size - pos;
    pieces.Feed(bytes.substr(pos, take), &piece_events);
    pos += take;
  }
  FUZZ_CHECK(SameEvents(events, piece_events), "events do not depend on how the bytes were cut");
  FUZZ_CHECK(whole.comments() == pieces.comments(), "comments do not depend on the cuts");

  // After Reset the parser is as new: a partial event from the broken connection never leaks.
  pieces.Reset();
  std::vector<earshot::SseEvent> again;
  pieces.Feed(bytes, &again);
  FUZZ_CHECK(SameEvents(events, again), "Reset forgets every partial line and event");
  return 0;
}
