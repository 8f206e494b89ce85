// StatusParser: Mastodon JSON (pages of Status entities, pages of Notifications) to Posts, with
// simdjson On Demand and its error-code API.
//
// Mapping (documented here because detectors and escalations depend on it):
//   Post.id          the status id (a string, never a number); for a boost, the ORIGINAL
//                    status's id, so a boost and its original dedupe to one post
//   Post.author      the original's account: handle = `acct`; a local account ("gargron", no
//                    '@') gets "@<local_domain>" appended so every handle is globally unique
//                    ("gargron@mastodon.social"); the domain part is lowercased, the username
//                    kept as written. id = account id, display_name, followers = followers_count,
//                    bot
//   Post.boosted_by  for a boost, the booster's handle (same form); "" otherwise
//   Post.text        `content` through HtmlToText; a non-empty `spoiler_text` (content warning)
//                    is prepended as its own paragraph, because complaints hide behind CWs too
//   Post.hashtags    `tags[].name`, lowercased (ASCII and Latin-1 letters), without '#'
//   Post.mentions    `mentions[].acct` in the same form as handles, lowercased
//   Post.language    `language`, "" when null
//   Post.reply_to    `in_reply_to_id`, "" when null
//   Post.thread_key  `in_reply_to_id` when present, else the status id. One status does not
//                    reveal its conversation's root, so a reply is keyed on its parent: a direct
//                    reply to a complaint shares the complaint's key. Deeper replies do not;
//                    the escalator also keys on the author.
//   Post.url         `url`, else `uri`
//   counts           replies_count, reblogs_count, favourites_count
//   created_at       `created_at` (ISO-8601)
//   edited_at        `edited_at` as sent (ISO-8601), "" when null: the edit's version stamp
// Required per status: id, created_at (parseable), account.id, account.acct. A status missing
// one, or with a field of the wrong type, is skipped and reported; the rest of the page is kept.
//
// Threads: one parser per thread (simdjson's rule). Not thread-safe.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/model/post.h"

namespace earshot::mastodon {

struct ParsedPage {
  std::vector<Post> posts;  // in page order: newest first, as Mastodon sends them
  // Paging ids of the page's first and last items (status ids; notification ids for a
  // notifications page), skipped and ignored items included: the cursor moves past a bad item.
  std::optional<std::string> newest_id, oldest_id;
  int items = 0;                    // array elements seen
  int ignored = 0;                  // notifications of other types than mention
  std::vector<std::string> errors;  // one line per skipped item: "status 12: 'account.acct': missing"
};

class StatusParser {
 public:
  // `local_domain` is the instance's domain ("mastodon.social"), appended to local accts.
  explicit StatusParser(std::string local_domain);
  StatusParser(const StatusParser&) = delete;
  StatusParser& operator=(const StatusParser&) = delete;

  // A JSON array of Status (timelines). kDataLoss when the body is not a JSON array or breaks
  // off (*page then holds what came before, and must not be used). Bad items are skipped.
  Status ParseStatusPage(std::string_view json, ParsedPage* page);

  // A JSON array of Notification; the `status` of each `type: "mention"` becomes a Post and
  // other types are ignored. Errors as ParseStatusPage.
  Status ParseNotificationPage(std::string_view json, ParsedPage* page);

  // One Status object. kInvalidArgument naming the field when it cannot be a Post.
  Result<Post> ParseStatus(std::string_view json);

  const std::string& local_domain() const { return local_domain_; }

  ~StatusParser();

 private:
  struct Scratch;  // per-item working space, reused from item to item (status_parser.cc)

  Status ParsePage(std::string_view json, bool notifications, ParsedPage* page);
  // One parse of `json` as it stands. *raw_escape is set when an id was taken from a literal
  // with a backslash in it, which scrubbing the body could change.
  Status ParsePageAs(std::string_view json, bool notifications, ParsedPage* page,
                     bool* raw_escape);
  Result<Post> ParseStatusAs(std::string_view json, bool* raw_escape);
  // Copies `json` into buffer_, followed by the zeroed padding simdjson reads past the end.
  void Load(std::string_view json);

  std::string local_domain_;
  simdjson::ondemand::parser parser_;
  // The padded copy of the body being parsed. It only grows, so a poller parsing page after
  // page allocates it once.
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  std::unique_ptr<Scratch> scratch_;
  size_t last_page_items_ = 0;  // to reserve the next page's posts at once
};

// Lowercases ASCII and the Latin-1 capitals (À-Þ) of UTF-8 text; other bytes pass through.
std::string LowerUtf8Latin(std::string_view s);

}  // namespace earshot::mastodon
