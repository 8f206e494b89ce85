#include "daemon/base/file_read.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace earshot {
namespace {

// Closes the descriptor on every return path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status TooLarge(size_t max_bytes, uint64_t size) {
  return Status::ResourceExhausted(
      fmt::format("larger than the {} limit for files earshot reads ({} bytes)",
                  FormatByteLimit(max_bytes), size));
}

}  // namespace

std::string FormatByteLimit(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) {
    return fmt::format("{} MiB", bytes >> 20);
  }
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

Result<std::string> ReadRegularFile(const std::filesystem::path& path, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise block here, before fstat can
  // tell what it is. It does not change reads from a regular file.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (f.fd < 0) {
    return Status::NotFound(fmt::format("cannot read the file: {}", std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    return Status::DataLoss(fmt::format("read failed: {}", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(
        "not a regular file (a directory, FIFO or device); earshot reads only regular files");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return TooLarge(max_bytes, static_cast<uint64_t>(st.st_size));
  }
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  // Up to one byte past the limit: a file that grew since fstat is refused, not read on.
  for (;;) {
    if (done == out.size()) {
      if (out.size() > max_bytes) return TooLarge(max_bytes, out.size());
      out.resize(std::min(max_bytes + 1, std::max<size_t>(out.size() * 2, 4096)));
    }
    const ssize_t n = ::read(f.fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::DataLoss(fmt::format("read failed: {}", std::strerror(errno)));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  if (out.size() > max_bytes) return TooLarge(max_bytes, out.size());
  return out;
}

Result<std::string> ReadRegularFileNamed(const std::filesystem::path& path) {
  Result<std::string> text = ReadRegularFile(path);
  if (text.ok()) return text;
  if (text.status().code() == Status::Code::kNotFound) {
    return Status::NotFound(fmt::format(
        "{}: cannot open; check the path and that the file is readable", path.string()));
  }
  return text.status().Annotate(path.string());
}

}  // namespace earshot
