// process_* metrics as the Prometheus client libraries define them, read from /proc/self, and
// the App's own identity and reload signals in the same scrape.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <vector>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/process_metrics.h"
#include "daemon/base/build_info.h"
#include "daemon/base/log.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A stat line whose comm holds spaces and a ')' so only the last ')' ends it; utime 250,
// stime 150, starttime 5000 ticks, vsize 123456789, rss 1000 pages.
constexpr const char* kStat =
    "4242 (earshot (a) b) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 9 0 5000 "
    "123456789 1000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n";

TEST_CASE("ParseProcStat: CPU, memory and start time from a /proc/<pid>/stat line", "[app]") {
  auto s = ParseProcStat(kStat, 100, 4096, 1'700'000'000);
  REQUIRE(s.ok());
  CHECK(s->cpu_seconds == Approx(4.0));
  CHECK(s->virtual_memory_bytes == 123456789);
  CHECK(s->resident_memory_bytes == 1000.0 * 4096);
  CHECK(s->start_time_seconds == Approx(1'700'000'050));
}

TEST_CASE("ParseProcStat: refuses what is not a stat line", "[app]") {
  CHECK_FALSE(ParseProcStat("", 100, 4096, 0).ok());
  CHECK_FALSE(ParseProcStat("4242 (earshot) S 1 2 3", 100, 4096, 0).ok());
  std::string bad = kStat;
  bad.replace(bad.find(" 250 "), 5, " x50 ");
  CHECK_FALSE(ParseProcStat(bad, 100, 4096, 0).ok());
}

TEST_CASE("ReadProcessStats: this process's numbers are plausible", "[app]") {
  auto s = ReadProcessStats();
  REQUIRE(s.ok());
  CHECK(s->resident_memory_bytes > 0);
  CHECK(s->virtual_memory_bytes >= s->resident_memory_bytes);
  CHECK(s->cpu_seconds >= 0);
  CHECK(s->open_fds >= 3);  // stdin, stdout, stderr at least
  CHECK(s->max_fds >= s->open_fds);
  // This test binary started moments ago (ctest's timeout is 300 s), not at boot or in 1970.
  const double now = NowSeconds();
  CHECK(s->start_time_seconds <= now + 1);
  CHECK(s->start_time_seconds > now - 600);
}

TEST_CASE("ReadProcessStats: open fds follow files opened and closed", "[app]") {
  auto before = ReadProcessStats();
  REQUIRE(before.ok());
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  auto during = ReadProcessStats();
  for (int fd : fds) ::close(fd);
  auto after = ReadProcessStats();
  REQUIRE(during.ok());
  REQUIRE(after.ok());
  CHECK(during->open_fds == before->open_fds + 5);
  CHECK(after->open_fds == before->open_fds);
}

TEST_CASE("ReadProcessStats: CPU time grows while the process computes", "[app]") {
  auto before = ReadProcessStats();
  REQUIRE(before.ok());
  // Spin until this thread has used 0.2 s of CPU by its own clock, however loaded the machine
  // (a wall-clock budget would measure the scheduler, not the metric).
  auto thread_cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double start = thread_cpu();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  volatile uint64_t sink = 0;
  while (thread_cpu() - start < 0.2 && std::chrono::steady_clock::now() < give_up) {
    for (int i = 0; i < 100000; ++i) sink = sink + static_cast<uint64_t>(i);
  }
  auto after = ReadProcessStats();
  REQUIRE(after.ok());
  // 0.2 s less two clock ticks of rounding.
  CHECK(after->cpu_seconds >= before->cpu_seconds + 0.15);
}

std::string Sample(const std::string& metrics, const std::string& name) {
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + " ")) return line.substr(name.size() + 1);
  }
  return "";
}

TEST_CASE("App metrics: build info, process metrics, and a broken earshot.yaml counted as a "
          "failed reload", "[app]") {
  log::SetLevel(log::Level::kError);
  testing::TempDir dir;
  const std::string good = fmt::format(
      "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [{0}/rules/complaints.yaml]\n"
      "  lexicon_dir: {0}/rules/lexicon\n",
      EARSHOT_SOURCE_DIR);
  const std::filesystem::path config_path = dir.Write("earshot.yaml", good);
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  auto app = App::Create(*config, &diags);
  REQUIRE(app.ok());

  std::string m = (*app)->RenderMetrics();
  CHECK(Sample(m, fmt::format("earshot_build_info{{version=\"{}\",revision=\"{}\"}}",
                              BuildVersion(), BuildRevision())) == "1");
  CHECK(m.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  for (const char* gauge : {"process_open_fds", "process_max_fds", "process_virtual_memory_bytes",
                            "process_resident_memory_bytes", "process_start_time_seconds"}) {
    INFO(gauge);
    CHECK(m.find(fmt::format("# TYPE {} gauge\n", gauge)) != std::string::npos);
    CHECK(std::stod(Sample(m, gauge)) > 0);
  }
  CHECK(Sample(m, "earshot_config_last_reload_successful") == "1");
  const std::string started = Sample(m, "earshot_config_last_reload_success_timestamp_seconds");
  CHECK(std::stod(started) == Approx(NowSeconds()).margin(60));

  // A typo in earshot.yaml itself, not in a rule file: the reload fails before any rule loads.
  dir.Write("earshot.yaml", good + "escalaton:\n  repeat_interval: 4h\n");
  Diagnostics broken;
  CHECK_FALSE((*app)->ReloadFromFile(config_path, &broken).ok());
  m = (*app)->RenderMetrics();
  CHECK(Sample(m, "earshot_reloads_total{result=\"failed\"}") == "1");
  CHECK(Sample(m, "earshot_reloads_total{result=\"ok\"}") == "0");
  CHECK(Sample(m, "earshot_config_last_reload_successful") == "0");
  CHECK(Sample(m, "earshot_config_last_reload_success_timestamp_seconds") == started);
  // The old names are gone: one name per signal, as Prometheus' prometheus_config_* pair.
  CHECK(m.find("earshot_last_reload") == std::string::npos);

  // An unreadable earshot.yaml counts too.
  std::filesystem::remove(config_path);
  Diagnostics missing;
  CHECK_FALSE((*app)->ReloadFromFile(config_path, &missing).ok());
  CHECK(Sample((*app)->RenderMetrics(), "earshot_reloads_total{result=\"failed\"}") == "2");
}

}  // namespace
}  // namespace earshot
