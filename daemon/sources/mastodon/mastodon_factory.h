// The Mastodon network: hashtag timelines and the token account's mentions, polled (REST
// paging, mastodon_source.h) or streamed (SSE, mastodon_stream_source.h).
#pragma once

#include <memory>

#include "daemon/sources/source_factory.h"

namespace earshot {

std::unique_ptr<SourceFactory> NewMastodonSourceFactory();

}  // namespace earshot
