// PostParser: Bluesky XRPC JSON to earshot's types, with simdjson's DOM API: pages of
// app.bsky.feed.searchPosts (postView[]) and of app.bsky.notification.listNotifications
// (notification[]) to Posts, app.bsky.actor.getProfiles to author reach,
// com.atproto.server.createSession / refreshSession to a session, and XRPC error bodies.
//
// Post mapping (detectors and escalations depend on it):
//   Post.network     "bluesky"
//   Post.id          the post's AT URI ("at://did:plc:.../app.bsky.feed.post/3k43tv4rft22g")
//   Post.url         https://bsky.app/profile/<handle>/post/<rkey>
//   Post.author      handle = author.handle, id = author.did, display_name = author.displayName;
//                    followers are filled in later from getProfiles (postView has no counts)
//   Post.text        record.text
//   Post.hashtags    #tag facets' `tag` and record.tags, lowercased, without '#', deduplicated
//   Post.mentions    #mention facets: the text they cover (UTF-8 byte offsets byteStart..byteEnd),
//                    without '@', lowercased. A facet whose range is out of bounds or splits a
//                    UTF-8 character is ignored (not the post).
//   Post.language    record.langs[0], "" when none
//   Post.reply_to    record.reply.parent.uri; thread_key = record.reply.root.uri, else the uri
//   counts           replyCount, repostCount + quoteCount, likeCount
//   created_at       record.createdAt (indexedAt when it cannot be parsed)
// Required per post: uri, author.did, author.handle, a record with a string `text`, and a
// parseable createdAt or indexedAt; a post missing one is skipped and reported.
//
// Notifications carry the same fields as a postView minus the counts (uri, cid, author as a
// profileView, record, indexedAt) plus `reason`. Only reasons mention, reply and quote carry a
// post record (the post that mentions, replies to or quotes the account) and become Posts, with
// the mapping above (counts 0); every other reason (like, repost, follow, starterpack-joined,
// ...) is counted in `skipped` and never read further, so an unknown future reason is no error.
//
// Threads: one parser per thread (simdjson's rule). Not thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/model/post.h"
#include "daemon/sources/json_fields.h"

namespace earshot::bluesky {

struct SearchItem {
  Post post;
  // Where the search index sorts the post: the earlier of createdAt and indexedAt (Bluesky's
  // sortAt, which `since` filters on).
  SystemTime sort_at{};
};

struct ParsedSearchPage {
  std::vector<SearchItem> items;  // in page order: newest first
  std::optional<std::string> cursor;
  int count = 0;                             // elements of `posts`
  std::optional<SystemTime> newest_sort_at;  // over every parseable element, bad ones included
  std::vector<std::string> errors;           // one line per skipped post
};

// One mention, reply or quote notification.
struct NotificationItem {
  Post post;
  std::string reason;     // "mention", "reply", "quote"
  SystemTime indexed_at{};  // the notification's indexedAt: what the list is sorted by
};

struct ParsedNotificationPage {
  std::vector<NotificationItem> items;  // in page order: newest first
  std::optional<std::string> cursor;
  int count = 0;    // elements of `notifications`
  int skipped = 0;  // other reasons (like, repost, follow, ...)
  // indexedAt over every element with a parseable one, skipped and bad ones included: they
  // decide where a run stops and where the watermark goes.
  std::optional<SystemTime> newest_indexed_at, oldest_indexed_at;
  std::vector<std::string> errors;  // one line per bad mention/reply/quote
};

struct Profile {
  std::string did, handle, display_name;
  int64_t followers = 0;
};

struct Session {
  std::string access_jwt, refresh_jwt, did, handle;
};

class PostParser {
 public:
  PostParser() = default;
  PostParser(const PostParser&) = delete;
  PostParser& operator=(const PostParser&) = delete;

  // kDataLoss when the body is not an object with a `posts` array. Bad posts are skipped.
  Status ParseSearchPage(std::string_view json, ParsedSearchPage* page);
  // kDataLoss when the body is not an object with a `notifications` array. Bad items are
  // skipped.
  Status ParseNotificationPage(std::string_view json, ParsedNotificationPage* page);
  // {"profiles":[...]}; profiles without a did are dropped. kDataLoss on a broken body.
  Status ParseProfiles(std::string_view json, std::vector<Profile>* out);
  // createSession / refreshSession output. kDataLoss without accessJwt and refreshJwt.
  Status ParseSession(std::string_view json, Session* out);
  // The `error` of an XRPC error body ({"error":"ExpiredToken","message":...}); "" when none.
  std::string ErrorName(std::string_view json);

 private:
  simdjson::dom::parser parser_;
};

// Hashtags and mentions from a record's facets (a JSON array), in facet order. Exposed for tests.
void ApplyFacets(simdjson::dom::array facets, std::string_view text, Post* post);

// An app.bsky.feed.post record (a postView's `record`, a Jetstream commit's `record`) into
// *post: text, language, reply and thread, facets and tags, per the mapping above. createdAt
// goes to *created_at as written (the caller decides what an unparseable one means), and
// *has_text tells whether `text` was a string. False with *err naming the first bad field.
bool ReadPostRecord(simdjson::dom::object record, Post* post, std::string* created_at,
                    bool* has_text, json_fields::FieldError* err);

}  // namespace earshot::bluesky
