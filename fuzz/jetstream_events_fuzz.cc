// Bluesky Jetstream frames (jetstream_event.h): whatever a firehose sends, an event keeps its
// cursor and its kind's fields, a post keeps post_parser.h's mapping, or the frame fails cleanly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/sources/bluesky/jetstream_event.h"
#include "fuzz/fuzz_check.h"

namespace {

using earshot::bluesky::JetstreamEvent;
using earshot::fuzz::HasAsciiUpper;
using earshot::fuzz::IsValidUtf8;

bool Unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) == v.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static earshot::bluesky::JetstreamParser parser;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  JetstreamEvent e;
  if (!parser.Parse(frame, &e).ok()) return 0;
  FUZZ_CHECK(!e.did.empty() && e.time_us > 0, "every event has a did and a cursor");
  const std::string prefix = "at://" + e.did + "/app.bsky.feed.post/";
  switch (e.kind) {
    case JetstreamEvent::Kind::kPost: {
      const earshot::Post& post = e.post;
      FUZZ_CHECK(post.network == "bluesky", "network is bluesky");
      FUZZ_CHECK(post.id == e.post_id && post.id.size() > prefix.size() &&
                     post.id.compare(0, prefix.size(), prefix) == 0,
                 "a post's id is the AT URI of the did's post");
      FUZZ_CHECK(post.author.id == e.did && post.author.handle.empty(),
                 "the author is the did; the handle is left to the source");
      FUZZ_CHECK(IsValidUtf8(post.text), "a parsed post's text is valid UTF-8");
      FUZZ_CHECK(!post.thread_key.empty(), "thread_key is the root uri or the post's own");
      for (const auto& tag : post.hashtags) {
        FUZZ_CHECK(!tag.empty() && !HasAsciiUpper(tag), "hashtags are lowercased, never empty");
      }
      for (const auto& m : post.mentions) {
        FUZZ_CHECK(!m.empty() && !HasAsciiUpper(m), "mentions are lowercased, never empty");
      }
      FUZZ_CHECK(Unique(post.hashtags) && Unique(post.mentions), "tags and mentions are unique");
      break;
    }
    case JetstreamEvent::Kind::kDelete:
      FUZZ_CHECK(e.post_id.size() > prefix.size() && e.post_id.compare(0, prefix.size(), prefix) == 0,
                 "a delete names the did's post");
      break;
    case JetstreamEvent::Kind::kAccount:
      FUZZ_CHECK(e.post_id.empty(), "an account event names no post");
      break;
    case JetstreamEvent::Kind::kIdentity:
      FUZZ_CHECK(e.post_id.empty() && IsValidUtf8(e.handle), "an identity event carries a handle");
      break;
    case JetstreamEvent::Kind::kOther:
      FUZZ_CHECK(!e.other.empty(), "a skipped event says what it was");
      break;
  }
  return 0;
}
