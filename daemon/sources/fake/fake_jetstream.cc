#include "daemon/sources/fake/fake_jetstream.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <thread>

#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr std::string_view kPosts = "app.bsky.feed.post";

struct Event {
  int64_t time_us = 0;
  std::string collection;  // "" for identity, account and raw frames: always sent
  std::string frame;
};

struct Subscription {
  std::string path;
  std::vector<std::string> collections;  // empty: every collection
  std::optional<int64_t> cursor;
  bool bad_cursor = false;
};

Subscription ParseTarget(std::string_view target) {
  Subscription s;
  const size_t q = target.find('?');
  s.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return s;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string key = PercentDecode(pair.substr(0, eq), true);
    const std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (key == "wantedCollections") {
      s.collections.push_back(value);
    } else if (key == "cursor") {
      char* end = nullptr;
      const long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') {
        s.bad_cursor = true;
      } else {
        s.cursor = v;
      }
    }
  }
  return s;
}

bool Wanted(const Subscription& s, const Event& e) {
  if (e.collection.empty() || s.collections.empty()) return true;
  return std::find(s.collections.begin(), s.collections.end(), e.collection) != s.collections.end();
}

}  // namespace

class FakeJetstream::Impl {
 public:
  explicit Impl(FakeJetstreamOptions options)
      : options_(options), clock_(options.clock ? *options.clock : RealClock()) {}
  ~Impl() { Stop(); }

  Status Listen() {
    beast::error_code ec;
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), options_.port);
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("fake Jetstream cannot listen: " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return Status::Ok();
  }

  std::string url() const { return fmt::format("ws://127.0.0.1:{}", port_); }

  int64_t Append(std::string collection, const std::function<std::string(int64_t)>& frame) {
    MutexLock lock(mu_);
    if (firehose_ || pending_plan_) return 0;  // generated mode: the log is not played
    const int64_t now_us = NowUs();
    const int64_t t = std::max(now_us, head_us_ + 1);
    head_us_ = t;
    events_.push_back(Event{t, std::move(collection), frame(t)});
    cv_.notify_all();
    return t;
  }

  Status PlayGenerated(FirehosePlan plan, FakeJetstream::FirehoseStart start) {
    MutexLock lock(mu_);
    if (!events_.empty()) {
      return Status::InvalidArgument("the fake Jetstream already plays its event log");
    }
    if (firehose_ || pending_plan_) {
      return Status::InvalidArgument("the fake Jetstream already plays a firehose");
    }
    if (start == FakeJetstream::FirehoseStart::kNow) {
      firehose_ = std::make_shared<const JetstreamFirehose>(std::move(plan), NowUs());
    } else {
      pending_plan_ = std::move(plan);
    }
    cv_.notify_all();
    return Status::Ok();
  }

  std::shared_ptr<const JetstreamFirehose> firehose() const {
    MutexLock lock(mu_);
    return firehose_;
  }

  std::string Time() const { return FormatIso8601(clock_.Now()); }

  void Inject(FakeJetstreamFault f) {
    MutexLock lock(mu_);
    faults_.push_back(std::move(f));
  }

  void DropConnections() {
    MutexLock lock(mu_);
    ++drop_generation_;
    for (const auto& [id, fd] : fds_) ::shutdown(fd, SHUT_RDWR);
    cv_.notify_all();
  }

  std::vector<std::optional<int64_t>> cursors() const {
    MutexLock lock(mu_);
    return cursors_;
  }
  int connections() const {
    MutexLock lock(mu_);
    return static_cast<int>(cursors_.size());
  }
  int64_t events_sent() const { return events_sent_.load(); }
  int64_t head_time_us() const {
    MutexLock lock(mu_);
    if (!firehose_) return head_us_;
    const int64_t last = firehose_->plan().posts - 1;
    if (last < 0) return 0;
    return std::min(NowUs(), firehose_->TimeUs({last, firehose_->HasExtra(last) ? 1 : 0}));
  }

  void Stop() {
    std::vector<std::thread> threads;
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (const auto& [id, fd] : fds_) ::shutdown(fd, SHUT_RDWR);
      cv_.notify_all();
    }
    if (acceptor_.is_open()) ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    {
      MutexLock lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  void AcceptLoop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      MutexLock lock(mu_);
      if (stopping_) return;
      if (ec) continue;
      const int id = ++next_id_;
      fds_[id] = socket.native_handle();
      threads_.emplace_back([this, id, s = std::move(socket)]() mutable {
        Serve(s);
        // Forget the descriptor before closing it, so DropConnections never shuts down a
        // number the kernel has handed to a newer socket.
        {
          MutexLock done(mu_);
          fds_.erase(id);
        }
        beast::error_code ignored;
        s.close(ignored);
      });
    }
  }

  // The front fault when it is due now (not kRefuse), counting down its after_events.
  std::optional<FakeJetstreamFault> DueFault() REQUIRES(mu_) {
    if (faults_.empty() || faults_.front().kind == FakeJetstreamFault::Kind::kRefuse) {
      return std::nullopt;
    }
    if (faults_.front().after_events > 0) {
      --faults_.front().after_events;
      return std::nullopt;
    }
    FakeJetstreamFault f = faults_.front();
    faults_.pop_front();
    return f;
  }

  void Serve(tcp::socket& socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    const Subscription sub =
        ParseTarget(std::string_view(request.target().data(), request.target().size()));
    auto answer = [&](http::status status, std::string body, std::optional<int> retry_after) {
      http::response<http::string_body> r{status, request.version()};
      r.set(http::field::content_type, "text/plain");
      if (retry_after) r.set(http::field::retry_after, std::to_string(*retry_after));
      r.body() = std::move(body);
      r.prepare_payload();
      r.keep_alive(false);
      http::write(socket, r, ec);
    };
    if (sub.path != "/subscribe") return answer(http::status::not_found, "not found\n", {});
    if (!websocket::is_upgrade(request)) {
      return answer(http::status::bad_request, "a WebSocket upgrade is required\n", {});
    }
    if (sub.bad_cursor) return answer(http::status::bad_request, "invalid cursor\n", {});
    std::optional<FakeJetstreamFault> refuse;
    uint64_t generation = 0;
    size_t next = 0;
    {
      MutexLock lock(mu_);
      if (!faults_.empty() && faults_.front().kind == FakeJetstreamFault::Kind::kRefuse) {
        refuse = faults_.front();
        faults_.pop_front();
      }
    }
    if (refuse) {
      return answer(static_cast<http::status>(refuse->http_status), "refused\n",
                    refuse->retry_after_s);
    }
    websocket::stream<tcp::socket&> ws(socket);
    ws.accept(request, ec);
    if (ec) return;
    std::shared_ptr<const JetstreamFirehose> firehose;
    int64_t connected_us = 0;
    {
      MutexLock lock(mu_);
      cursors_.push_back(sub.cursor);
      generation = drop_generation_;
      connected_us = NowUs();
      if (pending_plan_) {  // kFirstSubscriber: this upgrade starts the firehose
        firehose_ =
            std::make_shared<const JetstreamFirehose>(*std::move(pending_plan_), connected_us);
        pending_plan_.reset();
      }
      firehose = firehose_;
      next = sub.cursor
                 ? static_cast<size_t>(
                       std::lower_bound(events_.begin(), events_.end(), *sub.cursor,
                                        [](const Event& e, int64_t c) { return e.time_us < c; }) -
                       events_.begin())
                 : events_.size();
    }
    for (;;) {
      if (firehose) return ServeGenerated(ws, sub, *firehose, generation, connected_us);
      Event event;
      std::optional<FakeJetstreamFault> fault;
      {
        MutexLock lock(mu_);
        for (;;) {
          if (stopping_ || drop_generation_ != generation) return;
          firehose = firehose_;  // PlayGenerated(kNow) while this connection waited
          if (firehose) break;
          while (next < events_.size() && !Wanted(sub, events_[next])) ++next;
          if (next < events_.size()) break;
          cv_.wait(lock);
        }
        if (firehose) continue;
        event = events_[next];
        fault = DueFault();
      }
      if (fault && !ApplyFault(ws, *fault, event.frame, generation)) return;
      ws.text(true);
      ws.write(asio::buffer(event.frame), ec);
      if (ec) return;
      ++next;
      ++events_sent_;
    }
  }

  // The generated firehose from the cursor (or from the first event not yet due), each event
  // when its time_us is due.
  void ServeGenerated(websocket::stream<tcp::socket&>& ws, const Subscription& sub,
                      const JetstreamFirehose& firehose, uint64_t generation,
                      int64_t connected_us) {
    const bool posts_wanted = Wanted(sub, Event{0, std::string(kPosts), ""});
    const bool paced = firehose.plan().posts_per_second > 0;
    JetstreamFirehose::Position at = firehose.FromCursor(sub.cursor.value_or(connected_us));
    beast::error_code ec;
    for (;;) {
      std::optional<FakeJetstreamFault> fault;
      {
        MutexLock lock(mu_);
        for (;;) {
          if (stopping_ || drop_generation_ != generation) return;
          if (at == firehose.end()) {
            cv_.wait(lock);  // the plan is over: quiet until stopped or dropped
            continue;
          }
          const int64_t due = firehose.TimeUs(at) - NowUs();
          if (!paced || due <= 0) break;
          // Sleep at least a millisecond, then send everything due: a burst of a few events.
          cv_.wait_for(lock, std::chrono::microseconds(std::max<int64_t>(due, 1000)));
        }
        fault = DueFault();
      }
      const bool post = firehose.Kind(at) == JetstreamFirehose::EventKind::kPost;
      if (post && !posts_wanted) {
        at = firehose.After(at);
        continue;
      }
      const std::string frame = firehose.Frame(at);
      if (fault && !ApplyFault(ws, *fault, frame, generation)) return;
      ws.text(true);
      ws.write(asio::buffer(frame), ec);
      if (ec) return;
      at = firehose.After(at);
      ++events_sent_;
    }
  }

  // Acts out `fault` before `frame` would be sent; false when the connection is over.
  bool ApplyFault(websocket::stream<tcp::socket&>& ws, const FakeJetstreamFault& fault,
                  const std::string& frame, uint64_t generation) {
    beast::error_code ec;
    switch (fault.kind) {
      case FakeJetstreamFault::Kind::kDisconnect:
        // The first half of the frame as an unfinished message, then the cut.
        ws.text(true);
        ws.write_some(false, asio::buffer(frame.data(), frame.size() / 2), ec);
        ::shutdown(ws.next_layer().native_handle(), SHUT_RDWR);
        return false;
      case FakeJetstreamFault::Kind::kMalformed:
        ws.text(true);
        ws.write(asio::buffer(fault.frame), ec);
        return !ec;
      case FakeJetstreamFault::Kind::kStall: {
        MutexLock lock(mu_);
        cv_.wait_for(lock, fault.duration, [&] {
          mu_.AssertHeld();
          return stopping_ || drop_generation_ != generation;
        });
        return true;
      }
      case FakeJetstreamFault::Kind::kClose:
        ws.close(websocket::close_reason(websocket::close_code::going_away, "restarting"), ec);
        return false;
      case FakeJetstreamFault::Kind::kRefuse:
        return true;
    }
    return true;
  }

  int64_t NowUs() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now().time_since_epoch())
        .count();
  }

  const FakeJetstreamOptions options_;
  Clock& clock_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::thread accept_thread_;

  mutable Mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Event> events_ GUARDED_BY(mu_);
  int64_t head_us_ GUARDED_BY(mu_) = 0;
  std::deque<FakeJetstreamFault> faults_ GUARDED_BY(mu_);
  std::vector<std::optional<int64_t>> cursors_ GUARDED_BY(mu_);
  std::atomic<int64_t> events_sent_{0};
  std::shared_ptr<const JetstreamFirehose> firehose_ GUARDED_BY(mu_);
  std::optional<FirehosePlan> pending_plan_ GUARDED_BY(mu_);
  uint64_t drop_generation_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  int next_id_ GUARDED_BY(mu_) = 0;
  std::map<int, int> fds_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

Result<std::unique_ptr<FakeJetstream>> FakeJetstream::Start(FakeJetstreamOptions options) {
  auto impl = std::make_unique<Impl>(options);
  if (Status s = impl->Listen(); !s.ok()) return s;
  return std::unique_ptr<FakeJetstream>(new FakeJetstream(std::move(impl)));
}

FakeJetstream::FakeJetstream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeJetstream::~FakeJetstream() { Stop(); }

std::string FakeJetstream::url() const { return impl_->url(); }

int64_t FakeJetstream::AddCommit(const std::string& did, const std::string& rkey,
                                 const std::string& operation, const std::string& record_json,
                                 const std::string& collection) {
  return impl_->Append(collection, [&](int64_t t) {
    const std::string record = record_json.empty() ? "" : ",\"record\":" + record_json;
    const std::string cid = operation == "delete" ? "" : ",\"cid\":\"bafyreifake" + rkey + "\"";
    return fmt::format(
        "{{\"did\":{},\"time_us\":{},\"kind\":\"commit\",\"commit\":{{\"rev\":\"3lrev{}\","
        "\"operation\":{},\"collection\":{},\"rkey\":{}{}{}}}}}",
        JsonQuoted(did), t, t, JsonQuoted(operation), JsonQuoted(collection), JsonQuoted(rkey),
        record, cid);
  });
}

int64_t FakeJetstream::AddIdentity(const std::string& did, const std::string& handle) {
  const std::string time = impl_->Time();
  return impl_->Append("", [&](int64_t t) {
    return fmt::format(
        "{{\"did\":{},\"time_us\":{},\"kind\":\"identity\",\"identity\":{{\"did\":{},"
        "\"handle\":{},\"seq\":{},\"time\":\"{}\"}}}}",
        JsonQuoted(did), t, JsonQuoted(did), JsonQuoted(handle), t, time);
  });
}

int64_t FakeJetstream::AddAccount(const std::string& did, bool active, const std::string& status) {
  const std::string time = impl_->Time();
  return impl_->Append("", [&](int64_t t) {
    return fmt::format(
        "{{\"did\":{},\"time_us\":{},\"kind\":\"account\",\"account\":{{\"active\":{},"
        "\"did\":{},\"seq\":{},\"time\":\"{}\"{}}}}}",
        JsonQuoted(did), t, active ? "true" : "false", JsonQuoted(did), t, time,
        status.empty() ? "" : ",\"status\":" + JsonQuoted(status));
  });
}

Status FakeJetstream::PlayGenerated(FirehosePlan plan, FirehoseStart start) {
  return impl_->PlayGenerated(std::move(plan), start);
}
std::shared_ptr<const JetstreamFirehose> FakeJetstream::firehose() const {
  return impl_->firehose();
}

int64_t FakeJetstream::AddRaw(const std::string& frame) {
  return impl_->Append("", [&](int64_t) { return frame; });
}

void FakeJetstream::Inject(FakeJetstreamFault fault) { impl_->Inject(std::move(fault)); }
void FakeJetstream::DropConnections() { impl_->DropConnections(); }
std::vector<std::optional<int64_t>> FakeJetstream::cursors() const { return impl_->cursors(); }
int FakeJetstream::connections() const { return impl_->connections(); }
int64_t FakeJetstream::events_sent() const { return impl_->events_sent(); }
int64_t FakeJetstream::head_time_us() const { return impl_->head_time_us(); }
void FakeJetstream::Stop() { impl_->Stop(); }

}  // namespace earshot
