// SseParser: splits a Server-Sent Events byte stream (text/event-stream) into events, following
// the WHATWG rules that matter to earshot: lines end in LF, CRLF or CR; "event:" sets the type,
// "data:" lines are joined with "\n", a line starting with ':' is a comment (Mastodon's
// heartbeat, ":thump"), one optional space after the colon is dropped, a blank line dispatches.
// Bytes arrive in arbitrary pieces (an event may be split anywhere, even inside a UTF-8
// sequence); an event is only dispatched once its blank line has arrived, so an event cut off by
// a dropped connection is never delivered half (call Reset on reconnect).
//
// Threads: owned by one reader; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace earshot {

struct SseEvent {
  std::string type = "message";  // the "event:" field; "message" when absent
  std::string data;              // "data:" lines joined with '\n'
  std::string id;                // the "id:" field, "" when absent
};

class SseParser {
 public:
  // Appends every event completed by `bytes` to *events. Counts comment lines in comments().
  void Feed(std::string_view bytes, std::vector<SseEvent>* events);
  // Forgets a partial line and a partial event (the connection broke).
  void Reset();

  int64_t comments() const { return comments_; }
  // Bytes buffered in an incomplete line, for a size guard.
  size_t pending_bytes() const { return line_.size() + data_.size(); }

 private:
  void Line(std::string_view line, std::vector<SseEvent>* events);

  std::string line_;       // the incomplete last line
  bool after_cr_ = false;  // the previous chunk ended in CR: a leading LF belongs to it
  std::string type_, data_, id_;
  bool has_data_ = false;
  int64_t comments_ = 0;
};

}  // namespace earshot
