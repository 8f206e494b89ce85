// Reddit Listing bodies and OAuth token answers. Whatever the server sends, posts keep
// listing_parser.h's mapping, or the page fails cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/sources/reddit/listing_parser.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using earshot::fuzz::IsValidUtf8;
  static earshot::reddit::ListingParser parser;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  {
    earshot::reddit::ParsedListing listing;
    if (parser.ParseListing(json, &listing).ok()) {
      for (const earshot::Post& post : listing.posts) {
        FUZZ_CHECK(IsValidUtf8(post.text), "a parsed post's text is valid UTF-8");
        FUZZ_CHECK(post.network == "reddit", "network is reddit");
        FUZZ_CHECK(!post.id.empty() && !post.author.handle.empty() && !post.author.id.empty(),
                   "a post has its required name and author");
        FUZZ_CHECK(!post.thread_key.empty(), "thread_key is the post's or the link's fullname");
        FUZZ_CHECK(post.url.empty() || post.url.rfind("https://www.reddit.com", 0) == 0,
                   "the url is www.reddit.com + permalink");
        FUZZ_CHECK(post.created_at.time_since_epoch().count() >= 0,
                   "created_utc is never before the epoch");
      }
      FUZZ_CHECK(listing.posts.size() + listing.errors.size() +
                         static_cast<size_t>(listing.ignored) ==
                     static_cast<size_t>(listing.items),
                 "posts + errors + ignored == items");
    }
  }
  {
    std::string token;
    int64_t expires_in = 0;
    if (parser.ParseToken(json, &token, &expires_in).ok()) {
      FUZZ_CHECK(!token.empty(), "a parsed token is never empty");
    }
  }
  return 0;
}
