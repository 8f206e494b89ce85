// FileSink (`type: file`): appends each escalation's wire JSON (daemon/model/escalation_json.h) as one
// line to a JSONL file and fsyncs it before reporting delivery, so a delivered escalation
// survives a power cut. Reopen() (SIGHUP, after logrotate) makes the next write open the path
// afresh. A test escalation (seq 0, from `earshot test sinks`) is not written: the file holds
// only outbox escalations, so seq strictly increases from line to line.
//
// Owned by its SinkRunner; Deliver from the runner's thread only; Reopen from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <string>

#include "sinks/sink.h"

namespace earshot {

class FileSink final : public Sink {
 public:
  // Opens lazily, so a missing directory is a retryable delivery error, not a start failure.
  explicit FileSink(std::string path) : path_(std::move(path)) {}
  ~FileSink() override;

  // kRetry on any I/O error (full disk, permissions, missing directory), with the errno text and
  // the path; a line cut short by a failed write is truncated away so the file stays JSONL.
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;
  void Reopen() override { reopen_.store(true, std::memory_order_relaxed); }

 private:
  // (seq, incident id) of the file's last line, read when the file is opened.
  static std::optional<std::pair<uint64_t, std::string>> ReadLastEscalation(int fd);

  const std::string path_;
  int fd_ = -1;
  std::optional<std::pair<uint64_t, std::string>> last_;
  std::atomic<bool> reopen_{false};
};

// Options: path (required).
std::unique_ptr<SinkFactory> NewFileSinkFactory();

}  // namespace earshot
