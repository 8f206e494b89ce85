#include "daemon/cluster/batch_codec.h"

#include <type_traits>

#include "daemon/cluster/codec_enums.h"
#include "daemon/cluster/message_reader.h"
#include "daemon/cluster/message_writer.h"

namespace earshot::cluster {
namespace {

// Post::text_bytes is a size_t, carried as a uint64.
static_assert(std::is_same_v<size_t, uint64_t>, "Post::text_bytes travels as a uint64");

void WriteAuthor(const Author& a, std::string* out) {
  ObjectWriter w(out);
  w.String("handle", a.handle);
  w.String("id", a.id);
  w.String("display_name", a.display_name);
  w.Int("followers", a.followers);
  w.Bool("bot", a.bot);
}

void WritePost(const Post& p, std::string* out) {
  ObjectWriter w(out);
  w.String("network", p.network);
  w.String("id", p.id);
  w.String("url", p.url);
  w.Time("created_at", p.created_at);
  w.String("edited_at", p.edited_at);
  w.Object("author", [&](std::string* o) { WriteAuthor(p.author, o); });
  w.String("text", p.text);
  w.Uint("text_bytes", p.text_bytes);
  w.Strings("hashtags", p.hashtags);
  w.Strings("mentions", p.mentions);
  w.String("language", p.language);
  w.String("thread_key", p.thread_key);
  w.String("reply_to", p.reply_to);
  w.String("boosted_by", p.boosted_by);
  w.Int("replies", p.replies);
  w.Int("boosts", p.boosts);
  w.Int("likes", p.likes);
  w.String("source", p.source);
}

void WriteDetection(const Detection& d, std::string* out) {
  ObjectWriter w(out);
  w.String("rule_id", d.rule_id);
  w.String("category", CategoryName(d.category));
  w.String("severity", SeverityName(d.severity));
  w.Labels("labels", d.labels);
  w.String("summary", d.summary);
  w.Bool("shadow", d.shadow);
  w.Labels("captures", d.captures);
}

void WriteDetectedPost(const DetectedPost& p, std::string* out) {
  ObjectWriter w(out);
  w.Object("post", [&](std::string* o) { WritePost(p.post, o); });
  w.Double("sentiment", p.sentiment);
  w.Double("complaint", p.complaint);
  w.Objects("detections", p.detections, &WriteDetection);
}

void ReadAuthor(ObjectReader& r, Author* a) {
  r.String("handle", &a->handle);
  r.String("id", &a->id);
  r.String("display_name", &a->display_name);
  r.Int("followers", &a->followers);
  r.Bool("bot", &a->bot);
}

void ReadPost(ObjectReader& r, Post* p) {
  r.String("network", &p->network);
  r.String("id", &p->id);
  r.String("url", &p->url);
  r.Time("created_at", &p->created_at);
  r.String("edited_at", &p->edited_at);
  r.Object("author", [&](ObjectReader& a) { ReadAuthor(a, &p->author); });
  r.String("text", &p->text);
  r.Uint("text_bytes", &p->text_bytes);
  r.Strings("hashtags", &p->hashtags);
  r.Strings("mentions", &p->mentions);
  r.String("language", &p->language);
  r.String("thread_key", &p->thread_key);
  r.String("reply_to", &p->reply_to);
  r.String("boosted_by", &p->boosted_by);
  r.Int("replies", &p->replies);
  r.Int("boosts", &p->boosts);
  r.Int("likes", &p->likes);
  r.String("source", &p->source);
}

void ReadDetection(ObjectReader& r, Detection* d) {
  r.String("rule_id", &d->rule_id);
  r.Enum("category", &d->category, &ParseCategory, "category");
  r.Enum("severity", &d->severity, &ParseSeverity, "severity");
  r.Labels("labels", &d->labels);
  r.String("summary", &d->summary);
  r.Bool("shadow", &d->shadow);
  r.Labels("captures", &d->captures);
}

void ReadDetectedPost(ObjectReader& r, DetectedPost* p) {
  r.Object("post", [&](ObjectReader& post) { ReadPost(post, &p->post); });
  r.Double("sentiment", &p->sentiment);
  r.Double("complaint", &p->complaint);
  r.Objects("detections", &p->detections, &ReadDetection);
}

}  // namespace

std::string EncodeBatch(const BatchEnvelope& e) {
  std::string out;
  {
    ObjectWriter w(&out);
    w.Int("v", kMessageFormat);
    w.String("node", e.node);
    w.Uint("epoch", e.epoch);
    w.String("source", e.batch.source);
    w.OptString("cursor", e.batch.cursor);
    w.Objects("posts", e.batch.posts, &WriteDetectedPost);
    w.Strings("deleted_ids", e.batch.deleted_ids);
    w.Bool("fetch_ok", e.batch.fetch_ok);
  }
  return out;
}

Result<BatchEnvelope> DecodeBatch(std::string_view json) {
  return ReadMessage<BatchEnvelope>(json, "batch", [](ObjectReader& r, BatchEnvelope* e) {
    r.String("node", &e->node);
    r.Uint("epoch", &e->epoch);
    r.String("source", &e->batch.source);
    r.OptString("cursor", &e->batch.cursor);
    r.Objects("posts", &e->batch.posts, &ReadDetectedPost);
    r.Strings("deleted_ids", &e->batch.deleted_ids);
    r.Bool("fetch_ok", &e->batch.fetch_ok);
  });
}

}  // namespace earshot::cluster
