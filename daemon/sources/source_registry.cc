#include "daemon/sources/source_registry.h"

#include "daemon/base/check.h"
#include "daemon/sources/bluesky/bluesky_factory.h"
#include "daemon/sources/bluesky/jetstream_factory.h"
#include "daemon/sources/mastodon/mastodon_factory.h"
#include "daemon/sources/reddit/reddit_factory.h"
#include "daemon/sources/x/x_factory.h"

namespace earshot {

void SourceRegistry::Register(std::unique_ptr<SourceFactory> factory) {
  EARSHOT_CHECK(Find(factory->type()) == nullptr)
      << "source type registered twice: " << factory->type();
  factories_.push_back(std::move(factory));
}

const SourceFactory* SourceRegistry::Find(std::string_view type) const {
  for (const auto& f : factories_) {
    if (f->type() == type) return f.get();
  }
  return nullptr;
}

std::vector<std::string> SourceRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& f : factories_) out.emplace_back(f->type());
  return out;
}

void RegisterBuiltinSources(SourceRegistry& registry) {
  registry.Register(NewMastodonSourceFactory());
  registry.Register(NewXSourceFactory());
  registry.Register(NewBlueskySourceFactory());
  registry.Register(NewJetstreamSourceFactory());
  registry.Register(NewRedditSourceFactory());
}

const SourceRegistry& BuiltinSources() {
  static const SourceRegistry* registry = [] {
    auto* r = new SourceRegistry;
    RegisterBuiltinSources(*r);
    return r;
  }();
  return *registry;
}

}  // namespace earshot
