#include "daemon/net/sse_parser.h"

namespace earshot {

void SseParser::Reset() {
  line_.clear();
  after_cr_ = false;
  type_.clear();
  data_.clear();
  id_.clear();
  has_data_ = false;
}

void SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* events) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF whose CR ended the previous line
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      Line(line_, events);
      line_.clear();
      continue;
    }
    line_ += c;
  }
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>* events) {
  if (line.empty()) {
    // Dispatch. An event without data is dropped, as the spec says.
    if (has_data_) {
      SseEvent e;
      if (!type_.empty()) e.type = std::move(type_);
      e.data = std::move(data_);
      e.id = id_;
      events->push_back(std::move(e));
    }
    type_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') {
    ++comments_;
    return;
  }
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    type_ = std::string(value);
  } else if (field == "data") {
    if (has_data_) data_ += '\n';
    data_ += value;
    has_data_ = true;
  } else if (field == "id") {
    id_ = std::string(value);
  }
  // "retry" and unknown fields are ignored: earshot paces its own reconnects.
}

}  // namespace earshot
