// The Bluesky network: searchPosts for a query, or the login account's mentions
// (listNotifications), with an app password.
#pragma once

#include <memory>

#include "daemon/sources/source_factory.h"

namespace earshot {

std::unique_ptr<SourceFactory> NewBlueskySourceFactory();

}  // namespace earshot
