// The Reddit network: a subreddit's new posts or new comments, or a search, with app-only
// OAuth.
#pragma once

#include <memory>

#include "daemon/sources/source_factory.h"

namespace earshot {

std::unique_ptr<SourceFactory> NewRedditSourceFactory();

}  // namespace earshot
