// The #hashtags and @mentions written in a plain text, lowercased and without their sigil, the
// way Mastodon would have listed them for the post. For posts that arrive without those lists:
// rule unit tests and replayed corpora. Pure function.
#pragma once

#include <string_view>
#include <vector>
#include <string>

namespace earshot {

void DeriveTagsAndMentions(std::string_view text, std::vector<std::string>* tags,
                           std::vector<std::string>* mentions);

}  // namespace earshot
