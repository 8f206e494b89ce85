// Captures what the daemon logs while it lives, for a test to read back.
#pragma once

#include <cstdio>
#include <string>

#include "daemon/base/log.h"

namespace earshot::testing {

class CapturedLog {
 public:
  CapturedLog() : file_(std::tmpfile()) { log::SetOutputForTesting(file_, false); }
  ~CapturedLog() {
    log::SetOutputForTesting(nullptr, false);
    std::fclose(file_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // Everything logged so far.
  std::string Text() const {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, file_) != nullptr) out += buf;
    return out;
  }

 private:
  std::FILE* file_;
};

}  // namespace earshot::testing
