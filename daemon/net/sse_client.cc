#include "daemon/net/sse_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "daemon/base/ascii.h"

namespace earshot {
namespace {

bool GlobalInit() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  static_cast<std::string*>(user)->append(data, size * nmemb);
  return size * nmemb;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  const size_t n = size * nmemb;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(Trim(line.substr(0, colon)));
  AsciiLowerInPlace(name);
  headers->emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return n;
}

}  // namespace

struct SseClient::Handles {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  bool attached = false;

  void Detach() {
    if (attached) curl_multi_remove_handle(multi, easy);
    attached = false;
    curl_slist_free_all(header_list);
    header_list = nullptr;
  }
  ~Handles() {
    Detach();
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
};

Result<std::unique_ptr<SseClient>> SseClient::Create(std::string user_agent) {
  if (!GlobalInit()) return Status::Internal("sse client: curl_global_init failed");
  auto handles = std::make_unique<Handles>();
  handles->multi = curl_multi_init();
  handles->easy = curl_easy_init();
  if (handles->multi == nullptr || handles->easy == nullptr) {
    return Status::Internal("sse client: cannot create libcurl handles (out of memory?)");
  }
  return std::unique_ptr<SseClient>(new SseClient(std::move(handles), std::move(user_agent)));
}

SseClient::SseClient(std::unique_ptr<Handles> handles, std::string user_agent)
    : handles_(std::move(handles)), user_agent_(std::move(user_agent)) {}

SseClient::~SseClient() = default;

std::optional<std::string_view> SseClient::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers_) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

void SseClient::Close() {
  handles_->Detach();
  state_ = State::kIdle;
}

Status SseClient::Open(const HttpRequest& request) {
  Close();
  const std::string host = UrlHost(request.url);
  what_ = fmt::format("GET {}", host.empty() ? "?" : host);
  if (host.empty() ||
      !(request.url.starts_with("http://") || request.url.starts_with("https://"))) {
    return Status::InvalidArgument(fmt::format("{}: not an absolute http(s) URL", what_));
  }
  status_ = 0;
  headers_.clear();
  received_.clear();
  end_status_ = Status::Ok();
  CURL* easy = handles_->easy;
  curl_easy_reset(easy);
  for (const auto& [name, value] : request.headers) {
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* appended = curl_slist_append(handles_->header_list, line.c_str());
    if (appended == nullptr) return Status::Internal(fmt::format("{}: out of memory", what_));
    handles_->header_list = appended;
  }
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // never carry a token to another host
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  // No total timeout: the idle guard is "fewer than 1 byte/s for idle_timeout". A caller that
  // watches the stream itself passes 0 and gets no guard here: libcurl averages the speed over
  // a few seconds, so a stream whose only bytes are sparse 2-byte keep-alives (X) would count as
  // idle however regular they are.
  if (request.total_timeout.count() > 0) {
    const long idle_s = std::max<long>(1, static_cast<long>(request.total_timeout.count() / 1000));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, idle_s);
  }
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &received_);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers_);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, handles_->header_list);
  if (curl_multi_add_handle(handles_->multi, easy) != CURLM_OK) {
    return Status::Internal(fmt::format("{}: curl_multi_add_handle failed", what_));
  }
  handles_->attached = true;
  state_ = State::kOpen;
  return Status::Ok();
}

Result<SseClient::State> SseClient::Pump(std::stop_token stop, std::chrono::milliseconds max_wait,
                                         std::string* body) {
  if (state_ != State::kOpen) return state_;
  CURLM* multi = handles_->multi;
  std::stop_callback wake(stop, [multi] { curl_multi_wakeup(multi); });
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  bool got = false;
  for (;;) {
    if (stop.stop_requested()) return Status::Cancelled(fmt::format("{}: cancelled", what_));
    int running = 0;
    const CURLMcode mc = curl_multi_perform(multi, &running);
    if (status_ == 0) curl_easy_getinfo(handles_->easy, CURLINFO_RESPONSE_CODE, &status_);
    if (!received_.empty()) {
      got = true;
      body->append(received_);
      received_.clear();
    }
    if (mc != CURLM_OK) {
      end_status_ = Status::Unavailable(fmt::format("{}: {}", what_, curl_multi_strerror(mc)));
      handles_->Detach();
      state_ = State::kEnded;
      return state_;
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE || msg->easy_handle != handles_->easy) continue;
      const CURLcode result = msg->data.result;
      if (result == CURLE_OK) {
        end_status_ = Status::Ok();
      } else if (result == CURLE_OPERATION_TIMEDOUT) {
        end_status_ = Status::DeadlineExceeded(
            fmt::format("{}: no data (not even a heartbeat) for too long", what_));
      } else {
        end_status_ = Status::Unavailable(fmt::format("{}: {}", what_, curl_easy_strerror(result)));
      }
      state_ = State::kEnded;
    }
    if (state_ == State::kEnded) {
      if (status_ == 0) curl_easy_getinfo(handles_->easy, CURLINFO_RESPONSE_CODE, &status_);
      handles_->Detach();
      return state_;
    }
    if (got) return state_;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return state_;
    const CURLMcode pc = curl_multi_poll(multi, nullptr, 0, static_cast<int>(left.count()), nullptr);
    if (pc != CURLM_OK) {
      end_status_ = Status::Unavailable(fmt::format("{}: {}", what_, curl_multi_strerror(pc)));
      handles_->Detach();
      state_ = State::kEnded;
      return state_;
    }
  }
}

}  // namespace earshot
