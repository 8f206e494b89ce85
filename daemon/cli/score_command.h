// `earshot score`: VADER sentiment from the command line, for analysts checking a text or a
// lexicon overlay, and for batch scoring with --json (one JSON object per input line, streamed in
// order, memory bounded by the longest line).
//
// RunScoreCommand (declared in commands.h) is the entry point; the formatting helpers are here
// so other commands and tests print scores the same way. Single-threaded; no shared state.
#pragma once

#include <string>

#include "daemon/cli/commands.h"
#include "detectors/sentiment.h"

namespace earshot {

// Appends a score as the reference prints it: rounded with Python's round() (compound to 4
// decimals, the others to 3) and written as Python's repr writes the result ("0.5248", "0.0",
// "-1.0").
void AppendRoundedScore(double value, int digits, std::string* out);

// Appends {"compound":…,"pos":…,"neu":…,"neg":…} and a newline.
void AppendScoresJson(const SentimentScores& scores, std::string* out);

// Appends "compound=… pos=… neu=… neg=…", a tab, the text and a newline.
void AppendScoresLine(const SentimentScores& scores, std::string_view text, std::string* out);

}  // namespace earshot
