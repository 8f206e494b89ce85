// Rotating a revoked token without a restart: after a 401 the daemon re-reads its token file
// (at once, then at a short first retry), and a SIGHUP re-reads it too and wakes a source that
// waits after a 401. The real daemon against the fake Mastodon, which can revoke a token.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNewToken = "rotated-token-92c1";

// What an operator does: write the new token beside the old file, then rename it over.
void ReplaceTokenFile(const DaemonRig& rig, const std::string& token) {
  const std::string path = rig.dir() + "/mastodon.token";
  std::ofstream(path + ".new") << token << "\n";
  std::rename((path + ".new").c_str(), path.c_str());
}

bool NotificationsAnswered(const DaemonRig& rig, int status) {
  for (const RecordedRequest& r : const_cast<DaemonRig&>(rig).fake().requests()) {
    if (r.path == "/api/v1/notifications" && r.status == status) return true;
  }
  return false;
}

std::optional<std::string> LastNotificationsAuth(DaemonRig& rig) {
  std::optional<std::string> auth;
  for (const RecordedRequest& r : rig.fake().requests()) {
    if (r.path != "/api/v1/notifications") continue;
    if (auto h = r.Header("authorization")) auth = std::string(*h);
  }
  return auth;
}

bool Escalated(const DaemonRig& rig, std::string_view author) {
  for (const Escalation& e : rig.Escalations()) {
    for (const PostRef& p : e.posts) {
      if (p.author.starts_with(author)) return true;
    }
  }
  return false;
}

void RevokeAndWaitFor401(DaemonRig& rig) {
  // A good request first, so the 401 below comes from a running source.
  REQUIRE(WaitUntil([&] { return NotificationsAnswered(rig, 200); }, 30s));
  rig.fake().SetToken(kNewToken);
  REQUIRE(WaitUntil([&] { return NotificationsAnswered(rig, 401); }, 30s));
}

void ExpectRotated(DaemonRig& rig) {
  rig.fake().AddStatus(Toot("ivy", 300, "@AcmeAir you lost my bag in Denver and nobody answers"));
  const bool escalated = WaitUntil([&] { return Escalated(rig, "ivy@"); }, 60s);
  INFO(rig.DaemonLog());
  CHECK(escalated);
  CHECK(LastNotificationsAuth(rig) == std::string("Bearer ") + kNewToken);
  const std::string log = rig.DaemonLog();
  CHECK(log.find("re-reading token_file") != std::string::npos);
  CHECK(log.find(kNewToken) == std::string::npos);        // never the token itself
  CHECK(log.find("rig-secret-token") == std::string::npos);
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Credentials: after a 401 the replaced token file is read at the short retry",
          "[integration][credentials]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  RevokeAndWaitFor401(rig);
  ReplaceTokenFile(rig, kNewToken);
  ExpectRotated(rig);
}

TEST_CASE("Credentials: SIGHUP re-reads the token file and wakes the source waiting on a 401",
          "[integration][credentials]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  RevokeAndWaitFor401(rig);
  ReplaceTokenFile(rig, kNewToken);
  rig.daemon().Signal(SIGHUP);
  ExpectRotated(rig);
}

}  // namespace
}  // namespace earshot::testing
