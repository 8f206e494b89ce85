// The KV key of a lease. A lease is named after the work it covers ("source:mastodon:acme",
// "escalator"); NATS keys allow only [-/_=.A-Za-z0-9], so every other byte is written as =XX
// (hex), which keeps keys readable for `nats kv ls` and reversible for `earshot cluster status`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace earshot::cluster {

std::string LeaseKey(std::string_view lease_name);
// The lease name of a key LeaseKey wrote; nullopt for a key it cannot have written.
std::optional<std::string> LeaseNameOf(std::string_view key);

}  // namespace earshot::cluster
