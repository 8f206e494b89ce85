// X API v2 bodies: search and mention pages, user lookups and problem details. Whatever the
// server sends, posts keep tweet_parser.h's mapping, or the page fails cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/sources/x/tweet_parser.h"
#include "fuzz/fuzz_check.h"

namespace {

using earshot::Post;
using earshot::fuzz::HasAsciiUpper;
using earshot::fuzz::IsValidUtf8;

void CheckPost(const Post& post) {
  FUZZ_CHECK(IsValidUtf8(post.text), "a parsed post's text is valid UTF-8");
  FUZZ_CHECK(IsValidUtf8(post.author.display_name), "a display name is valid UTF-8");
  FUZZ_CHECK(post.network == "x", "network is x");
  FUZZ_CHECK(!post.id.empty() && !post.author.id.empty(), "a post has its id and author_id");
  FUZZ_CHECK(!post.author.handle.empty(), "a post has a handle, id:<author_id> at worst");
  FUZZ_CHECK(post.url.rfind("https://x.com/", 0) == 0, "the url is on x.com");
  FUZZ_CHECK(post.language != "und", "X's undetermined language reads as none");
  FUZZ_CHECK(!post.thread_key.empty(), "thread_key is the conversation or the id");
  for (const auto& tag : post.hashtags) FUZZ_CHECK(!HasAsciiUpper(tag), "hashtags are lowercased");
  for (const auto& m : post.mentions) FUZZ_CHECK(!HasAsciiUpper(m), "mentions are lowercased");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static earshot::x::TweetParser parser;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  {
    earshot::x::ParsedTweetPage page;
    if (parser.ParsePage(json, &page).ok()) {
      for (const Post& post : page.posts) CheckPost(post);
      FUZZ_CHECK(page.posts.size() + page.errors.size() + static_cast<size_t>(page.ignored) ==
                     static_cast<size_t>(page.items),
                 "posts + errors + retweets == items");
    }
  }
  {
    earshot::x::UserLookup user;
    if (parser.ParseUserLookup(json, &user).ok()) {
      FUZZ_CHECK(!user.id.empty() || !user.problem.empty(),
                 "a lookup has the user's id or X's problem");
    }
  }
  (void)parser.ProblemDetail(json);
  // Undoing the three escapes never lengthens the text.
  FUZZ_CHECK(earshot::x::UnescapeTweetText(json).size() <= json.size(),
             "unescaping never grows the text");
  return 0;
}
