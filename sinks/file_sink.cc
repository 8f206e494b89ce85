#include "sinks/file_sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sinks/escalation_json.h"

namespace earshot {
namespace {

class FileSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "file"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        SinkOption("path", OptionKind::kString, "the JSONL file to append to; its directory must exist")
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
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) return fail("cannot open", errno);
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
  return DeliveryResult::Delivered();
}

std::unique_ptr<SinkFactory> NewFileSinkFactory() { return std::make_unique<FileSinkFactory>(); }

}  // namespace earshot
