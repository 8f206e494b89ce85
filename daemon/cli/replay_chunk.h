// The stateless half of `earshot replay`: a chunk of corpus lines in, their result lines and
// detected posts out. Detection keeps no state between posts, so chunks can be detected on as
// many threads as there are cores while one thread feeds the escalator in input order (which
// must see posts one by one, in order): the output is the same whatever the number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/model/detection.h"
#include "detectors/detector.h"

namespace earshot {

// Consecutive lines of the corpus, as ReadCorpusLine gave them.
struct ReplayChunk {
  struct Line {
    std::string text;   // the line, or "" when it was too long to read
    size_t length = 0;  // its length in bytes (the only thing kept of a line too long)
    bool too_long = false;
  };
  int64_t first_line = 1;  // the corpus line number of lines[0], counting from 1
  std::vector<Line> lines;
};

// What a chunk became.
struct DetectedChunk {
  // Result lines (one per post) and error lines (one per unreadable line), in input order: the
  // bytes `earshot replay` writes for the chunk.
  std::string results;
  std::vector<DetectedPost> posts;  // in input order
  std::vector<int64_t> post_lines;  // the corpus line of each post, for messages
  int64_t errors = 0;               // unreadable lines
  uint64_t bytes = 0;               // read, newlines included; blank lines not counted
};

// Reads and detects every line of `chunk`. Thread-safe: `detector` is only read.
DetectedChunk DetectReplayChunk(const Detector& detector, const ReplayChunk& chunk);

}  // namespace earshot
