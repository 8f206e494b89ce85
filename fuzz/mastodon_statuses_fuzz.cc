// Mastodon pages (timelines of Status, notifications) and single statuses: whatever a server
// sends, the parser returns posts that keep status_parser.h's mapping, or a clean error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/sources/mastodon/status_parser.h"
#include "fuzz/fuzz_check.h"

namespace {

using earshot::Post;
using earshot::fuzz::HasAsciiUpper;
using earshot::fuzz::IsValidUtf8;

void CheckPost(const Post& post) {
  FUZZ_CHECK(IsValidUtf8(post.text), "a parsed post's text is valid UTF-8");
  FUZZ_CHECK(IsValidUtf8(post.author.display_name), "a display name is valid UTF-8");
  FUZZ_CHECK(post.network == "mastodon", "network is mastodon");
  FUZZ_CHECK(!post.id.empty(), "a post has its required id");
  FUZZ_CHECK(!post.author.id.empty(), "a post has its required account.id");
  FUZZ_CHECK(post.author.handle.find('@') != std::string::npos,
             "every handle is globally unique: user@domain");
  FUZZ_CHECK(!post.thread_key.empty(), "thread_key is the reply parent or the id");
  FUZZ_CHECK(post.reply_to.empty() || post.thread_key == post.reply_to,
             "a reply is keyed on its parent");
  for (const auto& tag : post.hashtags) {
    FUZZ_CHECK(!HasAsciiUpper(tag), "hashtags are lowercased");
  }
  for (const auto& m : post.mentions) {
    FUZZ_CHECK(!HasAsciiUpper(m), "mentions are lowercased");
  }
}

void CheckPage(const earshot::mastodon::ParsedPage& page, bool notifications) {
  for (const Post& post : page.posts) CheckPost(post);
  // Every array element is a post, a skipped item with its error line, or (notifications) an
  // ignored type: nothing is lost silently, and nothing is counted twice.
  FUZZ_CHECK(page.posts.size() + page.errors.size() + static_cast<size_t>(page.ignored) ==
                 static_cast<size_t>(page.items),
             "posts + errors + ignored == items");
  FUZZ_CHECK(notifications || page.ignored == 0, "a timeline ignores nothing");
  for (const auto& e : page.errors) FUZZ_CHECK(!e.empty(), "a skipped item says why");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static earshot::mastodon::StatusParser parser("Mastodon.Social");
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  {
    earshot::mastodon::ParsedPage page;
    if (parser.ParseStatusPage(json, &page).ok()) CheckPage(page, false);
  }
  {
    earshot::mastodon::ParsedPage page;
    if (parser.ParseNotificationPage(json, &page).ok()) CheckPage(page, true);
  }
  auto post = parser.ParseStatus(json);
  if (post.ok()) CheckPost(*post);
  return 0;
}
