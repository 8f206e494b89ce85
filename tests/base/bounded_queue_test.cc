#include "daemon/base/bounded_queue.h"

#include <catch2/catch.hpp>
#include <thread>

namespace earshot {
namespace {

using namespace std::chrono_literals;

TEST_CASE("BoundedQueue: a full queue blocks the producer until the consumer pops", "[base]") {
  BoundedQueue<int> q(2);
  std::stop_source stop;
  REQUIRE(q.Push(1, stop.get_token()));
  REQUIRE(q.Push(2, stop.get_token()));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    pushed = q.Push(3, stop.get_token());
  });
  // The third push cannot complete while the queue holds two items.
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(pushed.load());
  CHECK(q.Pop(stop.get_token(), 1s) == 1);
  producer.join();
  CHECK(pushed.load());
  CHECK(q.Pop(stop.get_token(), 1s) == 2);
  CHECK(q.Pop(stop.get_token(), 1s) == 3);
  CHECK_FALSE(q.Pop(stop.get_token(), 10ms).has_value());
}

TEST_CASE("BoundedQueue: stop wakes a blocked producer, which keeps its item", "[base]") {
  BoundedQueue<int> q(1);
  std::stop_source stop;
  REQUIRE(q.Push(1, stop.get_token()));
  std::atomic<int> result{-1};
  std::thread producer([&] { result = q.Push(2, stop.get_token()) ? 1 : 0; });
  stop.request_stop();
  producer.join();
  CHECK(result.load() == 0);
  CHECK(q.size() == 1);
}

TEST_CASE("BoundedQueue: close drains what is left", "[base]") {
  BoundedQueue<int> q(4);
  std::stop_source stop;
  REQUIRE(q.Push(7, stop.get_token()));
  q.Close();
  CHECK_FALSE(q.Push(8, stop.get_token()));
  CHECK(q.TryPop() == 7);
  CHECK_FALSE(q.Pop(stop.get_token(), 10ms).has_value());
}

}  // namespace
}  // namespace earshot
