// `earshot replay`: runs a JSONL corpus through detection (and, with --escalate, through the
// escalator on the posts' own timestamps) without touching any network or sink, so an analyst
// can see what a rule change would have done to last month's posts.
//
//   earshot replay [--config FILE | --rules FILE... --brand NAME... --lexicon DIR]
//                  [--output FILE] [--escalate --escalations FILE [--report [--svg FILE]
//                  [--tz ZONE]]] [CORPUS.jsonl ...|-]
//
// Input, one post per line, either earshot's normalized post
//   {"id":"1","text":"...","author":"jane@travel.example","followers":152000,
//    "hashtags":["acmeairsucks"],"mentions":["acmeair"],"lang":"en",
//    "created_at":"2026-11-22T10:00:00Z","thread":"1"}       (only id and text required)
// or a Mastodon Status object as the API returns it. Hashtags and mentions not given are read
// from the text. Output, one object per input line, in input order:
//   {"id":"1","rules":["brand-sucks-hashtag"],"categories":["complaint"],"complaint":true,
//    "severity":"high","complaint_score":0.93,
//    "sentiment":{"compound":-0.8,"pos":0,"neu":0.6,"neg":0.4}}
// A line that cannot be read gives {"line":N,"error":"..."} and replay goes on. A summary
// (posts, errors, matches per rule, throughput) goes to stderr. With --report, the response
// report of `earshot report` (report_command.h) follows it there, over the replayed incidents
// (kept in memory: MemoryStore), from the earliest post's time to the escalator's clock at the
// end (the latest post's time): how a corpus of last week's posts would have been answered, and
// its chart.
// Exit codes: 0, 1 when a file cannot be read or written, 2 usage, 78 bad rules or config.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace earshot {

int RunReplayCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                     std::ostream& err);

}  // namespace earshot
