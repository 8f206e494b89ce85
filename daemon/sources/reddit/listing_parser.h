// ListingParser: Reddit Listing JSON (`/r/<sub>/new`, `/r/<sub>/comments`, `/search`, asked with
// raw_json=1) to Posts, with simdjson's DOM API.
//
// Mapping (detectors and escalations depend on it):
//   Post.network     "reddit"
//   Post.id          the fullname: "t3_<id>" for a post (link), "t1_<id>" for a comment
//   Post.text        a post's `title`, then a blank line and its `selftext` when not empty;
//                    a comment's `body`
//   Post.author      handle = `author` ("[deleted]" when the account is gone), id =
//                    author_fullname (else the name); followers stay 0: a listing carries no
//                    reach and Reddit has no cheap follower count
//   Post.thread_key  the post's fullname; for a comment its `link_id` (the post it sits under)
//   Post.reply_to    a comment's `parent_id` (a post or a comment fullname)
//   Post.url         https://www.reddit.com + permalink (a comment without permalink gets
//                    /comments/<link id>/_/<id>)
//   counts           replies = num_comments, likes = score
//   created_at       created_utc (epoch seconds, a float)
// Kinds other than t1 and t3 are ignored. Required: name (or id), author, created_utc; an item
// missing one is skipped and reported.
//
// Threads: one parser per thread (simdjson's rule). Not thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/model/post.h"

namespace earshot::reddit {

struct ParsedListing {
  std::vector<Post> posts;  // in listing order: newest first
  // Fullnames of the first and last children, bad ones included (the cursor moves past them).
  std::optional<std::string> first_name, last_name;
  std::optional<std::string> after, before;  // data.after / data.before
  int items = 0;
  int ignored = 0;
  std::vector<std::string> errors;
};

class ListingParser {
 public:
  ListingParser() = default;
  ListingParser(const ListingParser&) = delete;
  ListingParser& operator=(const ListingParser&) = delete;

  // kDataLoss when the body is not {"kind":"Listing","data":{"children":[...]}}.
  Status ParseListing(std::string_view json, ParsedListing* out);
  // The access token of an /api/v1/access_token answer; kDataLoss when there is none.
  Status ParseToken(std::string_view json, std::string* token, int64_t* expires_in);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace earshot::reddit
