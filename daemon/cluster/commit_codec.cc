#include "daemon/cluster/commit_codec.h"

#include "daemon/cluster/codec_enums.h"
#include "daemon/cluster/message_reader.h"
#include "daemon/cluster/message_writer.h"

namespace earshot::cluster {
namespace {

// ---- writing ---------------------------------------------------------------------------------

void WriteEngagement(const Engagement& e, std::string* out) {
  ObjectWriter w(out);
  w.Int("replies", e.replies);
  w.Int("boosts", e.boosts);
  w.Int("likes", e.likes);
}

void WriteSeen(const SeenPost& s, std::string* out) {
  ObjectWriter w(out);
  w.String("source", s.source);
  w.String("post_id", s.post_id);
  w.Time("seen_at", s.seen_at);
}

void WriteIncident(const IncidentRecord& r, std::string* out) {
  ObjectWriter w(out);
  w.String("id", r.id);
  w.String("group_key", r.group_key);
  w.String("status", IncidentStatusName(r.status));
  w.String("rule_id", r.rule_id);
  w.String("category", IncidentKindName(r.category));
  w.String("severity", SeverityName(r.severity));
  if (r.notified_severity) {
    w.String("notified_severity", SeverityName(*r.notified_severity));
  } else {
    w.Null("notified_severity");
  }
  w.Labels("labels", r.labels);
  w.String("summary", r.summary);
  w.String("receiver", r.receiver);
  w.Time("opened_at", r.opened_at);
  w.Time("last_post_at", r.last_post_at);
  w.Time("last_notified_at", r.last_notified_at);
  w.OptTime("resolved_at", r.resolved_at);
  w.Int("post_count", r.post_count);
  w.Object("pending_reason", [&](std::string* o) {
    ObjectWriter reason(o);
    reason.String("kind", NotifyReasonKindName(r.pending_reason.kind));
    reason.String("detail", r.pending_reason.detail);
  });
  w.Object("engagement", [&](std::string* o) { WriteEngagement(r.engagement, o); });
  w.Int("authors", r.authors);
  if (r.first_response) {
    w.Object("first_response", [&](std::string* o) {
      ObjectWriter fr(o);
      fr.Time("at", r.first_response->at);
      fr.String("by", r.first_response->by);
      fr.Seconds("after_s", r.first_response->after);
    });
  } else {
    w.Null("first_response");
  }
  w.OptTime("response_due_at", r.response_due_at);
  w.Int("unanswered_level", r.unanswered_level);
  w.Bool("breach_notified", r.breach_notified);
}

void WritePostRef(const PostRef& p, std::string* out) {
  ObjectWriter w(out);
  w.String("network", p.network);
  w.String("id", p.id);
  w.String("url", p.url);
  w.String("author", p.author);
  w.String("author_name", p.author_name);
  w.Int("followers", p.followers);
  w.String("text", p.text);
  w.Uint("text_bytes", p.text_bytes);
  w.Time("created_at", p.created_at);
  w.Double("sentiment", p.sentiment);
  w.Double("complaint", p.complaint);
}

void WriteIncidentPost(const IncidentPost& p, std::string* out) {
  ObjectWriter w(out);
  w.String("incident_id", p.incident_id);
  w.Object("post", [&](std::string* o) { WritePostRef(p.post, o); });
  w.Object("engagement", [&](std::string* o) { WriteEngagement(p.engagement, o); });
}

void WriteEvent(const IncidentEvent& e, std::string* out) {
  ObjectWriter w(out);
  w.String("incident_id", e.incident_id);
  w.Time("at", e.at);
  w.String("kind", IncidentEventKindName(e.kind));
  w.String("severity", SeverityName(e.severity));
  w.String("reason", e.reason);
  w.Uint("seq", e.seq);
}

void WriteOutbox(const OutboxRecord& r, std::string* out) {
  ObjectWriter w(out);
  w.Uint("seq", r.seq);
  w.String("json", r.json);  // a JSON text itself, carried as a string: byte for byte
  w.Time("created_at", r.created_at);
}

void WriteHashtag(const BrandHashtagRecord& h, std::string* out) {
  ObjectWriter w(out);
  w.String("hashtag", h.hashtag);
  w.String("brand", h.brand);
  w.Time("first_seen", h.first_seen);
  w.String("first_network", h.first_network);
  w.String("first_post_id", h.first_post_id);
  w.String("first_post_url", h.first_post_url);
  w.Int("count", h.count);
  w.String("incident_id", h.incident_id);
}

void WriteSurgeKey(const SurgeKeyRecord& k, std::string* out) {
  ObjectWriter w(out);
  w.String("key", k.key);
  w.Int("bucket", k.bucket);
  w.Int("bucket_count", k.bucket_count);
  w.Double("mean", k.mean);
  w.Double("var", k.var);
  w.Bool("active", k.active);
  w.String("incident_id", k.incident_id);
  w.Int("started_count", k.started_count);
  w.Int("frozen_windows", k.frozen_windows);
  w.Time("hold_until", k.hold_until);
  w.Objects("events", k.events, [](const SurgeEventRecord& e, std::string* o) {
    ObjectWriter event(o);
    event.Time("at", e.at);
    event.String("author", e.author);
  });
  w.OptTime("drop_through", k.drop_through);
}

// ---- reading ---------------------------------------------------------------------------------

void ReadEngagement(ObjectReader& r, Engagement* e) {
  r.Int("replies", &e->replies);
  r.Int("boosts", &e->boosts);
  r.Int("likes", &e->likes);
}

void ReadSeen(ObjectReader& r, SeenPost* s) {
  r.String("source", &s->source);
  r.String("post_id", &s->post_id);
  r.Time("seen_at", &s->seen_at);
}

void ReadIncident(ObjectReader& r, IncidentRecord* inc) {
  r.String("id", &inc->id);
  r.String("group_key", &inc->group_key);
  r.Enum("status", &inc->status, &ParseIncidentStatus, "incident status");
  r.String("rule_id", &inc->rule_id);
  r.Enum("category", &inc->category, &ParseIncidentKind, "incident category");
  r.Enum("severity", &inc->severity, &ParseSeverity, "severity");
  r.OptEnum("notified_severity", &inc->notified_severity, &ParseSeverity, "severity");
  r.Labels("labels", &inc->labels);
  r.String("summary", &inc->summary);
  r.String("receiver", &inc->receiver);
  r.Time("opened_at", &inc->opened_at);
  r.Time("last_post_at", &inc->last_post_at);
  r.Time("last_notified_at", &inc->last_notified_at);
  r.OptTime("resolved_at", &inc->resolved_at);
  r.Int("post_count", &inc->post_count);
  r.Object("pending_reason", [&](ObjectReader& reason) {
    reason.Enum("kind", &inc->pending_reason.kind, &ParseNotifyReasonKind, "notify reason");
    reason.String("detail", &inc->pending_reason.detail);
  });
  r.Object("engagement", [&](ObjectReader& e) { ReadEngagement(e, &inc->engagement); });
  r.Int("authors", &inc->authors);
  r.OptObject("first_response", &inc->first_response, [](ObjectReader& fr, FirstResponse* f) {
    fr.Time("at", &f->at);
    fr.String("by", &f->by);
    fr.Seconds("after_s", &f->after);
  });
  r.OptTime("response_due_at", &inc->response_due_at);
  r.Int("unanswered_level", &inc->unanswered_level);
  r.Bool("breach_notified", &inc->breach_notified);
}

void ReadPostRef(ObjectReader& r, PostRef* p) {
  r.String("network", &p->network);
  r.String("id", &p->id);
  r.String("url", &p->url);
  r.String("author", &p->author);
  r.String("author_name", &p->author_name);
  r.Int("followers", &p->followers);
  r.String("text", &p->text);
  r.Uint("text_bytes", &p->text_bytes);
  r.Time("created_at", &p->created_at);
  r.Double("sentiment", &p->sentiment);
  r.Double("complaint", &p->complaint);
}

void ReadIncidentPost(ObjectReader& r, IncidentPost* p) {
  r.String("incident_id", &p->incident_id);
  r.Object("post", [&](ObjectReader& post) { ReadPostRef(post, &p->post); });
  r.Object("engagement", [&](ObjectReader& e) { ReadEngagement(e, &p->engagement); });
}

void ReadEvent(ObjectReader& r, IncidentEvent* e) {
  r.String("incident_id", &e->incident_id);
  r.Time("at", &e->at);
  r.Enum("kind", &e->kind, &ParseIncidentEventKind, "event kind");
  r.Enum("severity", &e->severity, &ParseSeverity, "severity");
  r.String("reason", &e->reason);
  r.Uint("seq", &e->seq);
}

void ReadOutbox(ObjectReader& r, OutboxRecord* o) {
  r.Uint("seq", &o->seq);
  r.String("json", &o->json);
  r.Time("created_at", &o->created_at);
}

void ReadHashtag(ObjectReader& r, BrandHashtagRecord* h) {
  r.String("hashtag", &h->hashtag);
  r.String("brand", &h->brand);
  r.Time("first_seen", &h->first_seen);
  r.String("first_network", &h->first_network);
  r.String("first_post_id", &h->first_post_id);
  r.String("first_post_url", &h->first_post_url);
  r.Int("count", &h->count);
  r.String("incident_id", &h->incident_id);
}

void ReadSurgeKey(ObjectReader& r, SurgeKeyRecord* k) {
  r.String("key", &k->key);
  r.Int("bucket", &k->bucket);
  r.Int("bucket_count", &k->bucket_count);
  r.Double("mean", &k->mean);
  r.Double("var", &k->var);
  r.Bool("active", &k->active);
  r.String("incident_id", &k->incident_id);
  r.Int("started_count", &k->started_count);
  r.Int("frozen_windows", &k->frozen_windows);
  r.Time("hold_until", &k->hold_until);
  r.Objects("events", &k->events, [](ObjectReader& e, SurgeEventRecord* event) {
    e.Time("at", &event->at);
    e.String("author", &event->author);
  });
  r.OptTime("drop_through", &k->drop_through);
}

}  // namespace

std::string EncodeCommit(const EscalatorCommit& c) {
  std::string out;
  {
    ObjectWriter w(&out);
    w.Int("v", kMessageFormat);
    w.String("source", c.source);
    w.OptString("cursor", c.cursor);
    w.Objects("seen", c.seen, &WriteSeen);
    w.Objects("incidents", c.incidents, &WriteIncident);
    w.Objects("posts", c.posts, &WriteIncidentPost);
    w.Objects("engagement", c.engagement, &WriteIncidentPost);
    w.Objects("events", c.events, &WriteEvent);
    w.Objects("outbox", c.outbox, &WriteOutbox);
    w.Objects("hashtags", c.hashtags, &WriteHashtag);
    w.Object("surge", [&](std::string* o) {
      ObjectWriter surge(o);
      surge.Objects("keys", c.surge.keys, &WriteSurgeKey);
      surge.Strings("forgotten", c.surge.forgotten);
    });
    w.Ints("acks_done", c.acks_done);
    w.Ints("resolves_done", c.resolves_done);
    w.OptUint("input_seq", c.input_seq);
  }
  return out;
}

Result<EscalatorCommit> DecodeCommit(std::string_view json) {
  return ReadMessage<EscalatorCommit>(json, "commit", [](ObjectReader& r, EscalatorCommit* c) {
    r.String("source", &c->source);
    r.OptString("cursor", &c->cursor);
    r.Objects("seen", &c->seen, &ReadSeen);
    r.Objects("incidents", &c->incidents, &ReadIncident);
    r.Objects("posts", &c->posts, &ReadIncidentPost);
    r.Objects("engagement", &c->engagement, &ReadIncidentPost);
    r.Objects("events", &c->events, &ReadEvent);
    r.Objects("outbox", &c->outbox, &ReadOutbox);
    r.Objects("hashtags", &c->hashtags, &ReadHashtag);
    r.Object("surge", [&](ObjectReader& surge) {
      surge.Objects("keys", &c->surge.keys, &ReadSurgeKey);
      surge.Strings("forgotten", &c->surge.forgotten);
    });
    r.Ints("acks_done", &c->acks_done);
    r.Ints("resolves_done", &c->resolves_done);
    r.OptUint("input_seq", &c->input_seq);
  });
}

}  // namespace earshot::cluster
