// Reading a whole input file (earshot.yaml, rule files, list files, lexicons, the silences and
// routes files) safely: only a regular file, and only up to a size limit.
//
// Paths in a config are typed by people. Pointed at /dev/zero, a plain read grows without end
// (140 MB/s); pointed at a FIFO, opening it blocks until a writer comes, so `earshot check` and a
// reload hang. The file is opened with O_NONBLOCK (opening a FIFO returns at once), then fstat
// on the open descriptor decides: anything but a regular file is refused, and so is a file over
// the limit. The read itself stops one byte past the limit, so a file growing while it is read
// is refused too, never read whole. Stateless; any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "daemon/base/result.h"

namespace earshot {

// 16 MiB: the largest shipped file (the VADER lexicon) is about 0.5 MiB; a rule or config file
// past this is a mistake, not a configuration.
inline constexpr size_t kMaxInputFileBytes = size_t{16} << 20;

// 64 KiB: a token or a webhook URL is a few hundred bytes; a secret file past this is the wrong
// file.
inline constexpr size_t kMaxSecretFileBytes = size_t{64} << 10;

// The longest line of a JSONL corpus (`replay`, `explain`) or of `score`'s input: a post's text
// is cut at 16 KiB anyway, and a Mastodon Status with all its fields is a few KiB. A 50 MB line
// once took `replay` to 1.04 GB; a longer line is skipped, reported with its number.
inline constexpr size_t kMaxCorpusLineBytes = size_t{1} << 20;

// The file's bytes. The error message does not name the file (the caller does, with its own
// position) and reads:
//   kNotFound           "cannot read the file: No such file or directory" (any open failure)
//   kInvalidArgument    "not a regular file (a directory, FIFO or device); earshot reads only
//                        regular files"
//   kResourceExhausted  "larger than the 16 MiB limit for files earshot reads (17825792 bytes)"
//   kDataLoss           "read failed: Input/output error"
Result<std::string> ReadRegularFile(const std::filesystem::path& path,
                                    size_t max_bytes = kMaxInputFileBytes);

// ReadRegularFile for callers with no position of their own to report (the lexicon and the
// complaint model): every error names the path, and a missing file says what to check.
Result<std::string> ReadRegularFileNamed(const std::filesystem::path& path);

// "16 MiB", "512 KiB", "100 bytes": a limit as people read it.
std::string FormatByteLimit(size_t bytes);

}  // namespace earshot
