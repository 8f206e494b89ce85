// JetstreamParser: one frame of Bluesky's Jetstream firehose (a JSON text message of
// `/subscribe?wantedCollections=app.bsky.feed.post`) to what earshot does with it.
//
// Every event carries `did` and `time_us`, the microseconds Jetstream stamped it with: the
// cursor a reconnect resumes from (`cursor=`), so it is read for every kind, even one earshot
// ignores. The kinds:
//   commit, operation create / update, collection app.bsky.feed.post -> kPost, with the mapping
//     of post_parser.h: id at://<did>/app.bsky.feed.post/<rkey>, author.id the did, text,
//     facets, tags, langs, reply; url https://bsky.app/profile/<did>/post/<rkey> (bsky.app takes
//     a did where a handle goes). The author's handle, name and followers are not in the
//     event: author.handle is left empty for the source to fill from its handle cache (or
//     getProfiles). created_at is record.createdAt, else the event's own time.
//   commit, operation delete -> kDelete (post_id as above): the post was taken down.
//   commit in another collection -> kOther (wantedCollections was not honoured; skipped).
//   identity -> kIdentity (handle: the account's handle now, "" when it has none), so the
//     handle cache stays fresh.
//   account -> kAccount (active, status: "takendown", "suspended", "deleted", ...).
//   any other kind -> kOther, counted, never an error: Jetstream may add kinds.
// A frame that is not JSON, or lacks did / time_us / kind, or a post without a string text is
// an error naming the field; the stream goes on with the next frame.
//
// Threads: one parser per thread (simdjson's rule).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/base/status.h"
#include "daemon/model/post.h"

namespace earshot::bluesky {

struct JetstreamEvent {
  enum class Kind { kPost, kDelete, kIdentity, kAccount, kOther };
  Kind kind = Kind::kOther;
  std::string did;
  int64_t time_us = 0;  // the cursor that resumes after this event
  Post post;            // kPost
  std::string post_id;  // kPost, kDelete: the post's AT URI
  std::string handle;   // kIdentity
  bool active = true;   // kAccount
  std::string status;   // kAccount, "" when active
  std::string other;    // kOther: what it was ("kind 'foo'", "collection app.bsky.feed.like")
};

class JetstreamParser {
 public:
  JetstreamParser() = default;
  JetstreamParser(const JetstreamParser&) = delete;
  JetstreamParser& operator=(const JetstreamParser&) = delete;

  // kDataLoss for a frame that is not a JSON object; kInvalidArgument naming the field for an
  // event missing what its kind needs. *out is complete only when Ok.
  Status Parse(std::string_view frame, JetstreamEvent* out);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace earshot::bluesky
