#include "sinks/escalation_fit.h"

#include "daemon/model/post_limits.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

// Cuts `text` to at most max_bytes, marker included, on a UTF-8 boundary; sets *original_bytes
// (when not already set) to the size it had.
void CutText(std::string* text, size_t max_bytes, uint64_t* original_bytes) {
  Post p;
  p.text = std::move(*text);
  p.text_bytes = static_cast<size_t>(*original_bytes);
  TruncatePostText(&p, max_bytes);
  *text = std::move(p.text);
  *original_bytes = p.text_bytes;
}

}  // namespace

bool FitEscalation(Escalation* e, size_t max_bytes) {
  size_t size = EscalationToJson(*e).size();
  if (size <= max_bytes) return false;
  // 1. Excerpts.
  for (PostRef& p : e->posts) CutText(&p.text, kFitExcerptBytes, &p.text_bytes);
  size = EscalationToJson(*e).size();
  // 2. The oldest posts go, one at a time (each post's share is measured, not guessed: JSON
  // escaping makes bytes on the wire differ from bytes of text).
  while (size > max_bytes && e->posts.size() > 1) {
    e->posts.pop_back();
    ++e->posts_omitted;
    size = EscalationToJson(*e).size();
  }
  // 3. The newest post, then the summary, cut by what is still too much (escaped bytes are at
  // least as many as raw ones, so one cut mostly does it; a few rounds cover the marker).
  for (int round = 0; round < 4 && size > max_bytes; ++round) {
    const size_t over = size - max_bytes + 16;
    if (!e->posts.empty() && e->posts.front().text.size() > kTruncationMarker.size()) {
      PostRef& p = e->posts.front();
      uint64_t text_bytes = p.text_bytes;
      CutText(&p.text, p.text.size() > over ? p.text.size() - over : 0, &text_bytes);
      p.text_bytes = text_bytes;
    } else if (e->summary.size() > kTruncationMarker.size()) {
      uint64_t ignored = 0;
      CutText(&e->summary, e->summary.size() > over ? e->summary.size() - over : 0, &ignored);
    }
    size = EscalationToJson(*e).size();
  }
  return true;
}

}  // namespace earshot
