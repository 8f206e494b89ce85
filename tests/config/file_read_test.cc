// Input files are read only when they are regular files within the size limit: a FIFO, a
// device or a directory named in a config is refused at once, naming what is wrong.
#include "daemon/base/file_read.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "daemon/config/yaml_reader.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("earshot-fileread-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST_CASE("ReadRegularFile: a regular file is read whole", "[config]") {
  TempDir dir;
  std::ofstream(dir.path() / "a.yaml") << "brands: [AcmeAir]\n";
  Result<std::string> r = ReadRegularFile(dir.path() / "a.yaml");
  REQUIRE(r.ok());
  CHECK(*r == "brands: [AcmeAir]\n");
}

TEST_CASE("ReadRegularFile: a FIFO is refused without blocking", "[config]") {
  TempDir dir;
  const fs::path fifo = dir.path() / "rules.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Without O_NONBLOCK the open waits for a writer that never comes: the test would hang.
  Result<std::string> r = ReadRegularFile(fifo);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(r.status().message(), Catch::StartsWith("not a regular file"));
}

TEST_CASE("ReadRegularFile: /dev/zero and a directory are refused", "[config]") {
  Result<std::string> zero = ReadRegularFile("/dev/zero");
  REQUIRE_FALSE(zero.ok());
  CHECK_THAT(zero.status().message(), Catch::StartsWith("not a regular file"));
  TempDir dir;
  Result<std::string> d = ReadRegularFile(dir.path());
  REQUIRE_FALSE(d.ok());
  CHECK_THAT(d.status().message(), Catch::StartsWith("not a regular file"));
}

TEST_CASE("ReadRegularFile: a file over the limit is refused naming the limit", "[config]") {
  TempDir dir;
  const fs::path big = dir.path() / "big.yaml";
  std::ofstream(big) << std::string(4097, 'x');
  Result<std::string> r = ReadRegularFile(big, 4096);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kResourceExhausted);
  CHECK(r.status().message() ==
        "larger than the 4 KiB limit for files earshot reads (4097 bytes)");
  CHECK(ReadRegularFile(big, 4097).ok());
  CHECK(FormatByteLimit(kMaxInputFileBytes) == "16 MiB");
}

TEST_CASE("ReadRegularFile: a missing file says why", "[config]") {
  Result<std::string> r = ReadRegularFile("/nonexistent/earshot.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  CHECK(r.status().message() == "cannot read the file: No such file or directory");
}

TEST_CASE("YamlFile: a FIFO or /dev/zero is one error naming the file, not a hang", "[config]") {
  TempDir dir;
  const fs::path fifo = dir.path() / "earshot.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const fs::path& path : {fifo, fs::path("/dev/zero")}) {
    Diagnostics diags;
    CHECK_FALSE(YamlFile::Load(path, &diags).has_value());
    REQUIRE(diags.all().size() == 1);
    CHECK_THAT(diags.all()[0].ToString(),
               Catch::StartsWith(path.string() + ": error: not a regular file"));
  }
}

}  // namespace
}  // namespace earshot
