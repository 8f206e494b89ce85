// The size limit on a post's text, applied where posts enter the pipeline (the poller, and the
// corpus reader of `replay`, `score` and `explain`).
//
// Real posts are at most a few thousand characters (Mastodon's default is 500, X's long posts
// 25,000 characters of which a page shows far less). A server may still send megabytes in one
// status; carried whole, an 8 MB status once made an 8.4 MB escalation and took the daemon from
// 21 MB to 418 MB. So the text is cut, on a UTF-8 boundary, to kMaxPostTextBytes with a visible
// marker, and the size it had is kept in Post::text_bytes (0 when whole), which escalations
// carry as "text_bytes" and "truncated": true (docs/bus.md). Rules and scorers see the cut text:
// a complaint is in its first 16 KiB or it is not a complaint a person wrote.
//
// Header-only and stateless; any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "daemon/model/post.h"

namespace earshot {

inline constexpr size_t kMaxPostTextBytes = 16 * 1024;

// Appended to a cut text: " […]" (U+2026 in brackets), what a reader expects of an excerpt.
inline constexpr std::string_view kTruncationMarker = " [\xE2\x80\xA6]";

// Cuts post->text to at most `max_bytes` bytes, marker included, on a UTF-8 boundary, and sets
// post->text_bytes to its size before. Returns whether it cut. A text already cut keeps the
// size it was first fetched with.
inline bool TruncatePostText(Post* post, size_t max_bytes = kMaxPostTextBytes) {
  std::string& text = post->text;
  if (text.size() <= max_bytes) return false;
  const size_t original = text.size();
  size_t cut = max_bytes > kTruncationMarker.size() ? max_bytes - kTruncationMarker.size() : 0;
  // Back to the first byte of a code point (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text.append(kTruncationMarker);
  text.shrink_to_fit();
  if (post->text_bytes == 0) post->text_bytes = original;
  return true;
}

}  // namespace earshot
