#include "daemon/app/detection_feed.h"

#include <algorithm>

#include "daemon/app/console_json.h"

namespace earshot {
namespace {

// Everything the console shows of a post, copied before the lock is taken: the copies are the
// publisher's only real cost, and no reader waits for them.
std::shared_ptr<DetectionFeed::Entry> MakeEntry(std::string_view source, const DetectedPost& dp,
                                                SystemTime at) {
  auto e = std::make_shared<DetectionFeed::Entry>();
  const Post& p = dp.post;
  e->at = at;
  e->source = std::string(source);
  e->network = p.network;
  e->post_id = p.id;
  e->url = p.url;
  e->author_handle = p.author.handle;
  e->author_display_name = p.author.display_name;
  e->author_followers = p.author.followers;
  e->text = p.text;
  if (!p.language.empty()) e->lang = p.language;
  e->complaint = dp.complaint;
  e->sentiment = dp.sentiment;
  e->rules.reserve(dp.detections.size());
  for (const Detection& d : dp.detections) {
    DetectionFeed::MatchedRule r;
    r.rule_id = d.rule_id;
    r.category = std::string(CategoryName(d.category));
    r.severity = std::string(SeverityName(d.severity));
    r.shadow = d.shadow;
    r.summary = d.summary;
    if (auto brand = d.labels.find("brand"); brand != d.labels.end()) r.brand = brand->second;
    e->rules.push_back(std::move(r));
  }
  return e;
}

std::vector<DetectionFeed::Entry> Copy(
    const std::vector<std::shared_ptr<const DetectionFeed::Entry>>& held) {
  std::vector<DetectionFeed::Entry> out;
  out.reserve(held.size());
  for (const auto& e : held) out.push_back(*e);
  return out;
}

}  // namespace

DetectionFeed::DetectionFeed(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

uint64_t DetectionFeed::Publish(std::string_view source, const DetectedPost& post, SystemTime at) {
  std::shared_ptr<Entry> entry = MakeEntry(source, post, at);
  uint64_t seq;
  {
    MutexLock lock(mu_);
    seq = ++newest_seq_;
    entry->seq = seq;
    ring_.push_back(std::move(entry));
    if (ring_.size() > capacity_) ring_.pop_front();
  }
  published_.notify_all();
  return seq;
}

std::vector<std::shared_ptr<const DetectionFeed::Entry>> DetectionFeed::CollectLocked(
    uint64_t after_seq, size_t max) const {
  std::vector<std::shared_ptr<const Entry>> out;
  if (ring_.empty() || after_seq >= newest_seq_ || max == 0) return out;
  // Seqs in the ring are consecutive, so the first one wanted is found by arithmetic.
  const uint64_t oldest = newest_seq_ - ring_.size() + 1;
  const size_t first = after_seq < oldest ? 0 : static_cast<size_t>(after_seq + 1 - oldest);
  const size_t n = std::min(max, ring_.size() - first);
  out.assign(ring_.begin() + static_cast<std::ptrdiff_t>(first),
             ring_.begin() + static_cast<std::ptrdiff_t>(first + n));
  return out;
}

std::vector<DetectionFeed::Entry> DetectionFeed::Since(uint64_t after_seq, size_t max) const {
  std::vector<std::shared_ptr<const Entry>> held;
  {
    MutexLock lock(mu_);
    held = CollectLocked(after_seq, max);
  }
  return Copy(held);
}

std::vector<DetectionFeed::Entry> DetectionFeed::WaitSince(uint64_t after_seq, size_t max,
                                                           std::chrono::milliseconds wait,
                                                           std::stop_token stop) const {
  std::vector<std::shared_ptr<const Entry>> held;
  {
    MutexLock lock(mu_);
    published_.wait_for(lock, stop, wait, [&] {
      mu_.AssertHeld();
      return newest_seq_ > after_seq;
    });
    held = CollectLocked(after_seq, max);
  }
  return Copy(held);
}

uint64_t DetectionFeed::newest_seq() const {
  MutexLock lock(mu_);
  return newest_seq_;
}

std::string EntryToJson(const DetectionFeed::Entry& e) {
  namespace j = console_json;
  std::string out;
  out.reserve(512 + e.text.size() + 256 * e.rules.size());
  out.push_back('{');
  j::Integer("seq", e.seq, &out);
  out.push_back(',');
  j::Field("at", e.at, &out);
  out.push_back(',');
  j::Field("source", e.source, &out);
  out.push_back(',');
  j::Field("network", e.network, &out);
  out.push_back(',');
  j::Field("post_id", e.post_id, &out);
  out.push_back(',');
  j::Field("url", e.url, &out);
  out.append(",\"author\":{");
  j::Field("handle", e.author_handle, &out);
  out.push_back(',');
  j::Field("display_name", e.author_display_name, &out);
  out.push_back(',');
  j::Integer("followers", e.author_followers, &out);
  out.append("},");
  j::Field("text", e.text, &out);
  if (e.lang) {
    out.push_back(',');
    j::Field("lang", *e.lang, &out);
  }
  out.push_back(',');
  j::Number("complaint", e.complaint, &out);
  out.push_back(',');
  j::Number("sentiment", e.sentiment, &out);
  out.append(",\"rules\":[");
  for (size_t i = 0; i < e.rules.size(); ++i) {
    const DetectionFeed::MatchedRule& r = e.rules[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    j::Field("rule_id", r.rule_id, &out);
    out.push_back(',');
    j::Field("category", r.category, &out);
    out.push_back(',');
    j::Field("severity", r.severity, &out);
    out.push_back(',');
    j::Bool("shadow", r.shadow, &out);
    out.push_back(',');
    j::Field("summary", r.summary, &out);
    if (r.brand) {
      out.push_back(',');
      j::Field("brand", *r.brand, &out);
    }
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

}  // namespace earshot
