// The replay reader (`earshot replay`, `earshot explain`): one corpus line, a normalized post or
// a Mastodon Status, becomes a complete Post or an error naming the field.
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/cli/corpus_input.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using earshot::fuzz::IsValidUtf8;
  static earshot::CorpusReader reader;
  const std::string line(reinterpret_cast<const char*>(data), size);
  earshot::Post post;
  const auto status = reader.Read(line, &post);
  if (!status.ok()) {
    FUZZ_CHECK(!status.message().empty(), "a rejected line says why");
    return 0;
  }
  FUZZ_CHECK(IsValidUtf8(post.text), "a replayed post's text is valid UTF-8");
  FUZZ_CHECK(!post.id.empty(), "a corpus post has its required id");
  FUZZ_CHECK(!post.network.empty(), "a corpus post has a network, 'replay' by default");
  FUZZ_CHECK(!post.thread_key.empty(), "a corpus post has a thread, its own id by default");
  for (const auto& tag : post.hashtags) {
    FUZZ_CHECK(tag.empty() || tag[0] != '#', "hashtags are kept without '#'");
  }
  // The same line reads the same way again (the reader reuses its parsers).
  earshot::Post again;
  FUZZ_CHECK(reader.Read(line, &again).ok() && again.text == post.text && again.id == post.id,
             "reading is repeatable");
  return 0;
}
