#include "daemon/sources/bluesky/jetstream_event.h"

#include <fmt/format.h>

#include <chrono>

#include "daemon/base/clock.h"
#include "daemon/sources/bluesky/post_parser.h"
#include "daemon/sources/json_fields.h"

namespace earshot::bluesky {
namespace {

namespace dom = simdjson::dom;
using json_fields::FieldError;
using json_fields::Obj;
using json_fields::Str;

constexpr std::string_view kPostCollection = "app.bsky.feed.post";

// The latest time_us a SystemTime (nanoseconds in 64 bits) can hold, in the year 2262: a cursor
// past it is no time Jetstream sends, and converting it would overflow.
constexpr int64_t kMaxTimeUs =
    std::chrono::duration_cast<std::chrono::microseconds>(SystemTime::duration::max()).count();

Status Bad(const FieldError& err) {
  return Status::InvalidArgument(fmt::format("jetstream event: '{}': {}", err.field, err.what));
}

Status Missing(std::string_view field) {
  return Status::InvalidArgument(fmt::format("jetstream event: '{}': missing", field));
}

// A commit to a post: create and update carry the record, delete only the key.
Status ReadCommit(dom::object commit, JetstreamEvent* out) {
  FieldError err;
  std::string operation, collection, rkey;
  bool ok = Str(commit, "operation", &operation, "commit", &err);
  ok = Str(commit, "collection", &collection, "commit", &err) && ok;
  ok = Str(commit, "rkey", &rkey, "commit", &err) && ok;
  if (!ok) return Bad(err);
  if (collection != kPostCollection) {
    out->kind = JetstreamEvent::Kind::kOther;
    out->other = collection.empty() ? "a commit without a collection"
                                    : fmt::format("collection {}", collection);
    return Status::Ok();
  }
  if (rkey.empty()) return Missing("commit.rkey");
  out->post_id = fmt::format("at://{}/{}/{}", out->did, kPostCollection, rkey);
  if (operation == "delete") {
    out->kind = JetstreamEvent::Kind::kDelete;
    return Status::Ok();
  }
  if (operation != "create" && operation != "update") {
    out->kind = JetstreamEvent::Kind::kOther;
    out->other = operation.empty() ? "a commit without an operation"
                                   : fmt::format("operation '{}'", operation);
    return Status::Ok();
  }
  dom::object record;
  if (!Obj(commit, "record", &record, "commit", &err)) {
    return err.field.empty() ? Missing("commit.record") : Bad(err);
  }
  Post& post = out->post;
  std::string created_at;
  bool has_text = false;
  if (!ReadPostRecord(record, &post, &created_at, &has_text, &err)) {
    err.field = "commit." + err.field;
    return Bad(err);
  }
  if (!has_text) return Missing("commit.record.text");
  post.network = "bluesky";
  post.id = out->post_id;
  post.author.id = out->did;
  post.url = fmt::format("https://bsky.app/profile/{}/post/{}", out->did, rkey);
  if (post.thread_key.empty()) post.thread_key = post.id;
  const SystemTime stamped{std::chrono::microseconds(out->time_us)};
  post.created_at = ParseIso8601(created_at).value_or(stamped);
  // An update is an edited version: a post of its own to the escalator, under the same id.
  if (operation == "update") post.edited_at = FormatIso8601(stamped);
  out->kind = JetstreamEvent::Kind::kPost;
  return Status::Ok();
}

}  // namespace

Status JetstreamParser::Parse(std::string_view frame, JetstreamEvent* out) {
  *out = JetstreamEvent{};
  dom::object event;
  if (Status s = json_fields::ParseObject(parser_, frame, &event); !s.ok()) {
    return Status::DataLoss(fmt::format("jetstream event: {}", s.message()));
  }
  FieldError err;
  std::string kind;
  bool ok = Str(event, "did", &out->did, "", &err);
  ok = Str(event, "kind", &kind, "", &err) && ok;
  ok = json_fields::Int(event, "time_us", &out->time_us, "", &err) && ok;
  if (!ok) return Bad(err);
  if (out->did.empty()) return Missing("did");
  if (kind.empty()) return Missing("kind");
  if (out->time_us <= 0) return Missing("time_us");
  if (out->time_us > kMaxTimeUs) {
    return Status::InvalidArgument(
        fmt::format("jetstream event: 'time_us': {} is past the year 2262", out->time_us));
  }
  if (kind == "commit") {
    dom::object commit;
    if (!Obj(event, "commit", &commit, "", &err)) {
      return err.field.empty() ? Missing("commit") : Bad(err);
    }
    return ReadCommit(commit, out);
  }
  if (kind == "identity") {
    dom::object identity;
    if (!Obj(event, "identity", &identity, "", &err)) {
      return err.field.empty() ? Missing("identity") : Bad(err);
    }
    if (!Str(identity, "handle", &out->handle, "identity", &err)) return Bad(err);
    out->kind = JetstreamEvent::Kind::kIdentity;
    return Status::Ok();
  }
  if (kind == "account") {
    dom::object account;
    if (!Obj(event, "account", &account, "", &err)) {
      return err.field.empty() ? Missing("account") : Bad(err);
    }
    dom::element active;
    if (account["active"].get(active) || active.get(out->active)) {
      return Status::InvalidArgument("jetstream event: 'account.active': missing or not a bool");
    }
    if (!Str(account, "status", &out->status, "account", &err)) return Bad(err);
    out->kind = JetstreamEvent::Kind::kAccount;
    return Status::Ok();
  }
  out->kind = JetstreamEvent::Kind::kOther;
  out->other = fmt::format("kind '{}'", kind);
  return Status::Ok();
}

}  // namespace earshot::bluesky
