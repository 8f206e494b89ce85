#include "sinks/file_sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

class FileSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "file"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("path", OptionKind::kString,
                     "the JSONL file to append to; its directory must exist")
            .Required(),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& options) const override {
    return SinkPtr(std::make_unique<FileSink>(options.String("path")));
  }
};

}  // namespace

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

DeliveryResult FileSink::Deliver(const Escalation& e, std::stop_token /*stop*/) {
  auto fail = [&](std::string_view what, int err) {
    return DeliveryResult::Retry(fmt::format("{}: {}: {}", path_, what, std::strerror(err)));
  };
  if (reopen_.exchange(false, std::memory_order_relaxed) && fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) return fail("cannot open", errno);
    last_ = ReadLastEscalation(fd_);
  }
  // seq 0 is `earshot test sinks`: no outbox escalation has it, and a reader of the archive
  // relies on seq strictly increasing line by line. Opening the path for appending is the check
  // (directory, permissions); the test escalation itself is not archived.
  if (e.seq == 0) {
    DeliveryResult ok = DeliveryResult::Delivered();
    ok.detail = fmt::format("{} is writable; a test escalation is not archived", path_);
    return ok;
  }
  // The runner delivers at least once: after a crash between this write and the runner saving
  // its cursor, the same escalation comes again. It can only be the one written last, so that
  // one is recognised and not written twice.
  if (last_ && last_->first == e.seq && last_->second == e.incident_id) {
    return DeliveryResult::Delivered();
  }
  std::string line = EscalationToJson(e);
  line.push_back('\n');
  struct stat before {};
  const bool regular = ::fstat(fd_, &before) == 0 && S_ISREG(before.st_mode);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      // A torn line would make the file unreadable as JSONL; the retry appends it whole.
      if (regular && done > 0) (void)::ftruncate(fd_, before.st_size);
      return fail("cannot write", err);
    }
    done += static_cast<size_t>(n);
  }
  if (regular && ::fsync(fd_) != 0) {
    const int err = errno;
    (void)::ftruncate(fd_, before.st_size);  // not known to be durable: the retry writes it again
    return fail("cannot sync", err);
  }
  last_ = std::make_pair(e.seq, e.incident_id);
  return DeliveryResult::Delivered();
}

std::optional<std::pair<uint64_t, std::string>> FileSink::ReadLastEscalation(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return std::nullopt;
  // The last line, however long. A fixed window is not enough (ten posts of the longest text
  // make an escalation of hundreds of KiB), and a line cut by the window does not parse, so the
  // redelivery after a crash would be written twice. So: scan back from the end in chunks to
  // the newline before the last line, then read that line whole. A line longer than any
  // escalation earshot writes is not ours: nothing to recognise.
  constexpr off_t kChunk = 64 * 1024;
  std::string chunk;
  auto read_at = [&](off_t at, size_t len) {
    chunk.resize(len);
    size_t got = 0;
    while (got < len) {
      const ssize_t n = ::pread(fd, chunk.data() + got, len - got, at + static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
    }
    return true;
  };
  off_t end = st.st_size;  // one past the last line's last byte, once trailing newlines are off
  off_t start = -1;        // the last line's first byte
  for (off_t from = st.st_size; from > 0 && start < 0;) {
    const off_t at = from > kChunk ? from - kChunk : 0;
    if (!read_at(at, static_cast<size_t>(from - at))) return std::nullopt;
    for (off_t i = from - 1; i >= at; --i) {
      const bool newline = chunk[static_cast<size_t>(i - at)] == '\n';
      if (end == i + 1 && newline) {
        end = i;  // a trailing newline, not the end of the last line
      } else if (newline) {
        start = i + 1;
        break;
      }
    }
    from = at;
    if (end - from > static_cast<off_t>(kMaxEscalationLineBytes)) return std::nullopt;
  }
  if (start < 0) start = 0;  // the file is one line
  if (end <= start || !read_at(start, static_cast<size_t>(end - start))) return std::nullopt;
  auto last = EscalationFromJson(chunk);
  if (!last.ok()) return std::nullopt;  // not ours, or cut: nothing to recognise
  return std::make_pair(last->seq, last->incident_id);
}

std::unique_ptr<SinkFactory> NewFileSinkFactory() { return std::make_unique<FileSinkFactory>(); }

}  // namespace earshot
