// CursorStore: the sources' side of the state store. A poller restores its source to the cursor
// last committed (the escalator moves it, in the commit of the batch it read) and re-checks the
// posts of active incidents for deletions it was never told about.
//
// Threads: every method is thread-safe; the pollers and the main thread share one CursorStore.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"

namespace earshot {

class CursorStore {
 public:
  virtual ~CursorStore() = default;

  // The cursor last committed for `source`, nullopt when there is none yet.
  virtual Result<std::optional<std::string>> LoadCursor(std::string_view source) = 0;
  // Post ids that `source` delivered and that belong to open or acknowledged incidents (not
  // surges or new hashtags: one deleted post ends neither), the most recently active first,
  // at most `limit`. The poller re-checks them on the network to find deletions it was never
  // told about.
  virtual Result<std::vector<std::string>> PostsToRecheck(std::string_view source,
                                                          size_t limit) = 0;
};

}  // namespace earshot
