#include "sinks/email_sink.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "daemon/net/url.h"
#include "sinks/console_sink.h"
#include "sinks/http_delivery.h"
#include "sinks/terminal_text.h"

namespace earshot {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  const size_t n = std::min(size * nitems, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, n);
  up->offset += n;
  return n;
}

int OnProgress(void* clientp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::stop_token*>(clientp)->stop_requested() ? 1 : 0;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
            kAlphabet[v & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

// A header value (after "Subject: ", `used` characters into its line). C0 controls and DEL
// (a summary's line breaks, a CR, a NUL) become spaces, so nothing can start a new header line;
// what else could mislead a reader (C1 controls, bidi overrides, invisible characters, invalid
// UTF-8) is shown escaped as on the console (sinks/terminal_text.h).
//
// Plain ASCII is folded at spaces onto continuation lines of at most 78 characters where it can
// be; a folded header unfolds to the same text. Anything else becomes RFC 2047 encoded-words, and
// so does ASCII holding "=?": a mail client decodes an encoded-word it finds in plain text, so a
// post quoting "=?UTF-8?B?4oCu?=" would smuggle a bidi override past the escaping above. Each
// encoded-word is at most 75 characters (45 bytes of UTF-8, never split inside a character), and
// they are folded onto continuation lines, which decoders join without the whitespace.
std::string HeaderText(std::string_view in, size_t used) {
  std::string flat(in);
  for (char& c : flat) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  const std::string s = TerminalSafe(flat);
  bool plain = s.find("=?") == std::string::npos;
  for (char c : s) plain = plain && static_cast<unsigned char>(c) < 0x80;
  if (plain) {
    constexpr size_t kFold = 78;
    std::string out;
    size_t line = used;  // characters on the current line
    size_t start = 0;
    while (s.size() - start > kFold - line) {
      // The last space that keeps this line within kFold, else the first space after it (a word
      // longer than a line stays whole; RFC 5322's hard limit is 998).
      size_t space = s.rfind(' ', start + (kFold - line));
      if (space == std::string::npos || space <= start) space = s.find(' ', start + 1);
      if (space == std::string::npos) break;
      out.append(s, start, space - start);
      out += "\r\n";
      line = 0;
      start = space;  // the space starts the continuation line
    }
    out.append(s, start);
    return out;
  }
  constexpr size_t kMaxBytes = 45;  // base64: 60 characters, plus "=?UTF-8?B?" and "?="
  std::string out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = std::min(s.size(), start + kMaxBytes);
    while (end < s.size() && end > start + 1 &&
           (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(s).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A valid summary cut for a Subject line, on a UTF-8 boundary.
std::string Cut(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

// The body with CRLF line ends and no line longer than SMTP and RFC 5322 allow (998 octets):
// a longer line is broken at its last space within the limit, else between two characters.
// Servers refuse or cut longer lines, and one long summary must not cost the whole mail. A CR
// is dropped: the body reaching here is terminal-safe text, whose only control is LF.
std::string Crlf(std::string_view text) {
  constexpr size_t kMaxLine = 998;
  std::string out;
  out.reserve(text.size() + text.size() / 64);
  size_t line_start = out.size();
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      out += "\r\n";
      line_start = out.size();
      continue;
    }
    out.push_back(c);
    if (out.size() - line_start > kMaxLine) {
      size_t cut = out.rfind(' ', out.size() - 1);
      if (cut == std::string::npos || cut <= line_start) {
        cut = out.size() - 1;
        while (cut > line_start && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      }
      if (cut == line_start) cut = out.size() - 1;
      out.insert(cut, "\r\n");
      line_start = cut + 2;
    }
  }
  return out;
}

class EmailSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "email"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("url", OptionKind::kString,
                     "the SMTP server: smtp://host:587 (STARTTLS) or smtps://host:465")
            .Required(),
        ConfigOption("from", OptionKind::kString, "the sender address").Required(),
        ConfigOption("to", OptionKind::kList, "recipient addresses").Required(),
        ConfigOption("username", OptionKind::kString, "SMTP AUTH user; no AUTH without it"),
        ConfigOption("password", OptionKind::kString, "SMTP AUTH password").Secret(),
        ConfigOption("starttls", OptionKind::kChoice,
                     "required (refuse a server without it), try, or never (loopback relays)")
            .Default("required")
            .Choices({"required", "try", "never"}),
        ConfigOption("timeout", OptionKind::kDuration, "the whole SMTP conversation")
            .Default("30s"),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& o) const override {
    EmailSinkConfig c;
    c.name = o.name();
    c.url = o.String("url");
    if (c.url.rfind("smtp://", 0) != 0 && c.url.rfind("smtps://", 0) != 0) {
      return Status::InvalidArgument(
          fmt::format("option 'url': '{}' must start with smtp:// or smtps://", c.url));
    }
    c.from = o.String("from");
    // Checked like `to`: the address goes into the From header and the envelope, where a line
    // break would start a header or command of its own.
    if (c.from.find('@') == std::string::npos ||
        c.from.find_first_of("<>\r\n ") != std::string::npos) {
      return Status::InvalidArgument(fmt::format("option 'from': '{}' is not an address", c.from));
    }
    c.to = o.List("to");
    if (c.to.empty()) return Status::InvalidArgument("option 'to': needs at least one address");
    for (const std::string& a : c.to) {
      if (a.find('@') == std::string::npos || a.find_first_of("<>\r\n ") != std::string::npos) {
        return Status::InvalidArgument(fmt::format("option 'to': '{}' is not an address", a));
      }
    }
    c.username = o.String("username");
    c.password = o.String("password");
    c.starttls = o.String("starttls");
    c.timeout = o.Duration("timeout");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      return Status::Internal("email sink: libcurl cannot be initialised");
    }
    return SinkPtr(std::make_unique<EmailSink>(std::move(c), RealClock()));
  }
};

}  // namespace

std::string EmailMessage(const EmailSinkConfig& config, const Escalation& e, SystemTime now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string to;
  for (const std::string& a : config.to) to += (to.empty() ? "" : ", ") + a;
  // An acknowledgement must not read like a new alarm in an inbox: no severity in capitals.
  const std::string subject =
      e.kind == Escalation::Kind::kAcknowledge
          ? fmt::format("[earshot] {}: {}", Cut(e.reason, 80), Cut(e.summary, 150))
          : fmt::format("[earshot] {} {}: {}", Upper(SeverityName(e.severity)), KindName(e.kind),
                        Cut(e.summary, 150));
  std::string body = FormatEscalationText(e, /*color=*/false);
  body += fmt::format("\nIncident {} (seq {}), raised {}: {}.\n", e.incident_id, e.seq,
                      FormatIso8601(e.at), e.reason.empty() ? "notification" : e.reason);
  body += "\n-- \nearshot: customer complaints from social networks\n";
  std::string msg = fmt::format(
      "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}.{}@earshot>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\nX-Earshot-Incident: {}\r\nX-Earshot-Seq: {}\r\n\r\n",
      config.from, to, HeaderText(subject, std::string_view("Subject: ").size()), date,
      e.incident_id, e.seq, e.incident_id, e.seq);
  msg += Crlf(body);
  return msg;
}

EmailSink::EmailSink(EmailSinkConfig config, Clock& clock)
    : config_(std::move(config)), clock_(clock), curl_(curl_easy_init()) {}

EmailSink::~EmailSink() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

DeliveryResult EmailSink::Deliver(const Escalation& e, std::stop_token stop) {
  CURL* curl = static_cast<CURL*>(curl_);
  const std::string host = UrlHost(config_.url);
  if (curl == nullptr) return DeliveryResult::Retry("SMTP: libcurl handle unavailable");
  const std::string message = EmailMessage(config_, e, clock_.Now());
  Upload upload{&message};
  curl_slist* rcpts = nullptr;
  for (const std::string& a : config_.to) rcpts = curl_slist_append(rcpts, ("<" + a + ">").c_str());
  const std::string from = "<" + config_.from + ">";

  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, config_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(config_.timeout.count(), 10000)));
  const long ssl = config_.starttls == "required" ? CURLUSESSL_ALL
                   : config_.starttls == "try"    ? CURLUSESSL_TRY
                                                  : CURLUSESSL_NONE;
  curl_easy_setopt(curl, CURLOPT_USE_SSL, ssl);
  if (!config_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stop);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpts);
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl, CURLOPT_PASSWORD, "");  // do not keep the password in the handle
  if (rc == CURLE_OK) return DeliveryResult::Delivered();
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  const std::string detail = Redact(
      reply > 0 ? fmt::format("SMTP {}: {} (last reply {})", host, curl_easy_strerror(rc), reply)
                : fmt::format("SMTP {}: {}", host, curl_easy_strerror(rc)),
      {config_.password});
  if (rc == CURLE_ABORTED_BY_CALLBACK) return DeliveryResult::Retry("SMTP " + host + ": stopped");
  if (rc == CURLE_LOGIN_DENIED) {
    return DeliveryResult::Permanent(detail + "; check username and the password file");
  }
  if (rc == CURLE_USE_SSL_FAILED) {
    return DeliveryResult::Permanent(detail + "; the server offers no STARTTLS (set starttls: "
                                              "try only for a trusted local relay)");
  }
  if (reply >= 500 && reply < 600) return DeliveryResult::Permanent(detail);
  return DeliveryResult::Retry(detail);
}

std::unique_ptr<SinkFactory> NewEmailSinkFactory() { return std::make_unique<EmailSinkFactory>(); }

}  // namespace earshot
