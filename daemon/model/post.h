// Post: the one normalized record every source produces and every detector reads, whatever
// network it came from. Plain data; copyable; no behaviour. IDs are opaque strings, never
// integers: Mastodon ids overflow doubles, Bluesky ids are AT URIs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/base/clock.h"

namespace earshot {

struct Author {
  std::string handle;        // "alice@example.social" (Mastodon acct, remote accounts keep @host)
  std::string id;            // the network's stable account id
  std::string display_name;
  int64_t followers = 0;
  bool bot = false;
};

struct Post {
  std::string network;       // "mastodon"
  std::string id;            // the network's id of the original post (a boost is keyed on it)
  std::string url;
  SystemTime created_at{};
  // The network's stamp of the post's latest edit, "" when never edited. Each edited version is
  // a post of its own to the escalator (seen once, judged again); the id stays the original's.
  std::string edited_at;
  Author author;
  std::string text;          // plain text: HTML stripped, entities decoded, invisible spans dropped
  // The text's size in bytes as fetched when it was cut to the limit (daemon/model/post_limits.h);
  // 0 when the text is whole.
  size_t text_bytes = 0;
  std::vector<std::string> hashtags;  // lowercase, without '#'
  std::vector<std::string> mentions;  // lowercase acct/handle, without '@'
  std::string language;      // ISO 639-1, "" when the network does not know
  std::string thread_key;    // the conversation this post belongs to (the root's id)
  std::string reply_to;      // id of the post this replies to, "" when none
  std::string boosted_by;    // handle of the account that boosted it into the stream, "" when none
  int64_t replies = 0, boosts = 0, likes = 0;
  std::string source;        // name of the configured source that fetched it ("mastodon:airline")
};

}  // namespace earshot
