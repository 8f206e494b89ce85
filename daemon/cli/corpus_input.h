// Corpus input, shared by `earshot replay` and `earshot explain` so that both judge a post the
// same way: the flags that choose the rules, the detector they build, and posts read from JSON
// lines.
//
//   --config FILE                       the daemon's earshot.yaml (rules, brands, lexicon)
//   --rules FILE... --brand NAME... --lexicon DIR
//                                       without --config: these rule files (default: the shipped
//                                       packs of the default rules directory), these brands
//                                       (default: none) and this lexicon (default: the rules
//                                       directory's lexicon/)
//
// A corpus line is earshot's normalized post
//   {"id":"1","text":"...","author":"jane@travel.example","followers":152000,
//    "hashtags":["acmeairsucks"],"mentions":["acmeair"],"lang":"en",
//    "created_at":"2026-11-22T10:00:00Z","thread":"1","network":"mastodon"}
// (only id and text required) or a Mastodon Status object as the API returns it.
//
// Runs on the calling thread; a CorpusReader is not thread-safe (it reuses its parser).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/app/app_config.h"
#include "daemon/base/file_read.h"
#include "daemon/base/status.h"
#include "daemon/model/post.h"

namespace earshot {

class Detector;

struct DetectorFlags {
  std::string config;
  std::vector<std::string> rules, brands;
  std::string lexicon;
};

// When args[*i] is --config, --rules, --brand or --lexicon, takes it and its value (advancing
// *i past the value) and returns true; *error is then set (to "--rules needs a value") when
// the value is missing. Returns false, touching nothing, for any other argument.
bool TakeDetectorFlag(const std::vector<std::string>& args, size_t* i, DetectorFlags* flags,
                      std::string* error);

// Reads --config's file, or builds the config the other flags describe, then the detector it
// names. On failure prints every diagnostic and "earshot COMMAND: why" to `err` and returns
// false (the caller exits 78).
bool LoadCorpusDetector(const DetectorFlags& flags, std::string_view command, std::ostream& err,
                        AppConfig* config, std::shared_ptr<const Detector>* detector);

// Fills in what a corpus post may leave out: network "replay", the thread (the post's own id),
// and, when the post gives neither, the hashtags and mentions written in its text.
void CompleteCorpusPost(Post* post);

enum class CorpusLine {
  kLine,     // *line holds the next line, without its '\n'
  kTooLong,  // the next line was longer than max_bytes: skipped to its end, *line cleared,
             // *length its size; it was never held in memory whole
  kEnd,      // end of input (or a read error)
};

// Reads the next line of `in`, at most `max_bytes` of it, as above.
CorpusLine ReadCorpusLine(std::istream& in, std::string* line, size_t* length,
                          size_t max_bytes = kMaxCorpusLineBytes);

// Reads corpus lines into posts.
class CorpusReader {
 public:
  CorpusReader();
  ~CorpusReader();
  CorpusReader(const CorpusReader&) = delete;
  CorpusReader& operator=(const CorpusReader&) = delete;

  // One line (a normalized post or a Mastodon Status) into *post, completed by
  // CompleteCorpusPost. InvalidArgument, naming the field, when the line is not one of them.
  Status Read(const std::string& line, Post* post);

 private:
  struct Parsers;
  std::unique_ptr<Parsers> parsers_;
};

}  // namespace earshot
