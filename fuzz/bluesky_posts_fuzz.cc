// Bluesky XRPC bodies: search pages, notification pages, profiles, sessions and error bodies.
// Whatever the server sends, posts keep post_parser.h's mapping, or the page fails cleanly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "daemon/sources/bluesky/post_parser.h"
#include "fuzz/fuzz_check.h"

namespace {

using earshot::Post;
using earshot::fuzz::HasAsciiUpper;
using earshot::fuzz::IsValidUtf8;

bool Unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) == v.end();
}

void CheckPost(const Post& post) {
  FUZZ_CHECK(IsValidUtf8(post.text), "a parsed post's text is valid UTF-8");
  FUZZ_CHECK(IsValidUtf8(post.author.display_name), "a display name is valid UTF-8");
  FUZZ_CHECK(post.network == "bluesky", "network is bluesky");
  FUZZ_CHECK(!post.id.empty(), "a post has its required uri");
  FUZZ_CHECK(!post.author.id.empty() && !post.author.handle.empty(),
             "a post has its required author.did and author.handle");
  FUZZ_CHECK(!post.thread_key.empty(), "thread_key is the root uri or the post's own");
  for (const auto& tag : post.hashtags) {
    FUZZ_CHECK(!tag.empty() && !HasAsciiUpper(tag), "hashtags are lowercased, never empty");
  }
  for (const auto& m : post.mentions) {
    FUZZ_CHECK(!m.empty() && !HasAsciiUpper(m), "mentions are lowercased, never empty");
    FUZZ_CHECK(IsValidUtf8(m) || !IsValidUtf8(post.text),
               "a facet that splits a UTF-8 character is ignored");
  }
  FUZZ_CHECK(Unique(post.hashtags), "hashtags are deduplicated");
  FUZZ_CHECK(Unique(post.mentions), "mentions are deduplicated");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static earshot::bluesky::PostParser parser;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  {
    earshot::bluesky::ParsedSearchPage page;
    if (parser.ParseSearchPage(json, &page).ok()) {
      for (const auto& item : page.items) CheckPost(item.post);
      FUZZ_CHECK(page.items.size() + page.errors.size() == static_cast<size_t>(page.count),
                 "every element of posts is a post or a skipped item");
      FUZZ_CHECK(page.items.empty() || page.newest_sort_at.has_value(),
                 "a page with posts has a newest sortAt");
      for (const auto& item : page.items) {
        FUZZ_CHECK(item.sort_at <= *page.newest_sort_at, "newest_sort_at covers every post");
      }
    }
  }
  {
    earshot::bluesky::ParsedNotificationPage page;
    if (parser.ParseNotificationPage(json, &page).ok()) {
      for (const auto& item : page.items) {
        CheckPost(item.post);
        FUZZ_CHECK(item.reason == "mention" || item.reason == "reply" || item.reason == "quote",
                   "only mentions, replies and quotes become posts");
        FUZZ_CHECK(page.newest_indexed_at && page.oldest_indexed_at &&
                       *page.oldest_indexed_at <= item.indexed_at &&
                       item.indexed_at <= *page.newest_indexed_at,
                   "the indexedAt range covers every item");
      }
      FUZZ_CHECK(page.items.size() + page.errors.size() + static_cast<size_t>(page.skipped) ==
                     static_cast<size_t>(page.count),
                 "items + errors + skipped == count");
    }
  }
  {
    std::vector<earshot::bluesky::Profile> profiles;
    if (parser.ParseProfiles(json, &profiles).ok()) {
      for (const auto& p : profiles) FUZZ_CHECK(!p.did.empty(), "profiles without a did are dropped");
    }
  }
  {
    earshot::bluesky::Session session;
    if (parser.ParseSession(json, &session).ok()) {
      FUZZ_CHECK(!session.access_jwt.empty() && !session.refresh_jwt.empty(),
                 "a session has both tokens");
    }
  }
  (void)parser.ErrorName(json);
  return 0;
}
