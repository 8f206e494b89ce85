#include "daemon/net/curl_http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <mutex>

#include "daemon/base/ascii.h"

namespace earshot {

namespace {

struct CurlMultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct CurlEasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

bool GlobalInit() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

// What the write and header callbacks fill in during one exchange.
struct Exchange {
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * nmemb;
  if (ex->response.body.size() + n > ex->max_bytes) {
    ex->too_large = true;
    return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
  }
  ex->response.body.append(data, n);
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * nmemb;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue, say): only the final response's headers count.
    ex->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line ending the head
  std::string name(Trim(line.substr(0, colon)));
  AsciiLowerInPlace(name);
  ex->response.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return n;
}

}  // namespace

struct CurlHttpClient::Handles {
  std::unique_ptr<CURLM, CurlMultiDeleter> multi;
  std::unique_ptr<CURL, CurlEasyDeleter> easy;
};

Result<std::unique_ptr<HttpClient>> CurlHttpClient::Create(CurlHttpClientOptions options) {
  if (!GlobalInit()) return Status::Internal("http client: curl_global_init failed");
  auto handles = std::make_unique<Handles>();
  handles->multi.reset(curl_multi_init());
  handles->easy.reset(curl_easy_init());
  if (!handles->multi || !handles->easy) {
    return Status::Internal("http client: cannot create libcurl handles (out of memory?)");
  }
  if (options.poll_slice_ms <= 0) options.poll_slice_ms = 200;
  return std::unique_ptr<HttpClient>(new CurlHttpClient(std::move(options), std::move(handles)));
}

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options, std::unique_ptr<Handles> handles)
    : options_(std::move(options)), handles_(std::move(handles)) {}

CurlHttpClient::~CurlHttpClient() = default;

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request, std::stop_token stop) {
  const std::string host = UrlHost(request.url);
  const std::string what = fmt::format("{} {}", request.method, host.empty() ? "?" : host);
  if (host.empty() ||
      !(request.url.starts_with("http://") || request.url.starts_with("https://"))) {
    return Status::InvalidArgument(fmt::format("{}: not an absolute http(s) URL", what));
  }
  if (stop.stop_requested()) return Status::Cancelled(fmt::format("{}: cancelled", what));

  CURL* easy = handles_->easy.get();
  CURLM* multi = handles_->multi.get();
  // Forget the previous call's options; live connections stay in the multi handle's pool.
  curl_easy_reset(easy);

  Exchange ex;
  ex.max_bytes = request.max_response_bytes;

  CurlSlistPtr header_list;
  for (const auto& [name, value] : request.headers) {
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* appended = curl_slist_append(header_list.get(), line.c_str());
    if (appended == nullptr) return Status::Internal(fmt::format("{}: out of memory", what));
    (void)header_list.release();
    header_list.reset(appended);
  }

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can undo
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(request.max_response_bytes));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list.get());

  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
             request.method == "DELETE") {
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    }
    if (request.method != "POST") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  } else {
    return Status::InvalidArgument(fmt::format("{}: unsupported method", what));
  }

  if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
    return Status::Internal(fmt::format("{}: curl_multi_add_handle failed", what));
  }
  // From here on the easy handle is in the multi handle; it leaves it on every path out.
  struct Detach {
    CURLM* multi;
    CURL* easy;
    ~Detach() { curl_multi_remove_handle(multi, easy); }
  } detach{multi, easy};
  std::stop_callback wake(stop, [multi] { curl_multi_wakeup(multi); });

  CURLcode result = CURLE_OK;
  bool done = false;
  while (!done) {
    if (stop.stop_requested()) return Status::Cancelled(fmt::format("{}: cancelled", what));
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      return Status::Unavailable(fmt::format("{}: {}", what, curl_multi_strerror(mc)));
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
        result = msg->data.result;
        done = true;
      }
    }
    if (done) break;
    mc = curl_multi_poll(multi, nullptr, 0, options_.poll_slice_ms, nullptr);
    if (mc != CURLM_OK) {
      return Status::Unavailable(fmt::format("{}: {}", what, curl_multi_strerror(mc)));
    }
  }

  switch (result) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(fmt::format("{}: timed out (connect {} ms, total {} ms)",
                                                  what, request.connect_timeout.count(),
                                                  request.total_timeout.count()));
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (ex.too_large || result == CURLE_FILESIZE_EXCEEDED) {
        return Status::ResourceExhausted(fmt::format(
            "{}: response body larger than {} bytes", what, request.max_response_bytes));
      }
      return Status::Unavailable(fmt::format("{}: {}", what, curl_easy_strerror(result)));
    case CURLE_PARTIAL_FILE:
      return Status::DataLoss(
          fmt::format("{}: connection closed before the whole body arrived", what));
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument(fmt::format("{}: {}", what, curl_easy_strerror(result)));
    default:
      // curl_easy_strerror's fixed texts never contain the URL, unlike CURLOPT_ERRORBUFFER.
      return Status::Unavailable(fmt::format("{}: {}", what, curl_easy_strerror(result)));
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &ex.response.status);
  return std::move(ex.response);
}

}  // namespace earshot
