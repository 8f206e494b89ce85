// Result<T>: a value, or the Status that explains why there is none (absl's StatusOr,
// simdjson's simdjson_result). Constructing a Result from an ok Status is a bug.
#pragma once

#include <utility>
#include <variant>

#include "daemon/base/check.h"
#include "daemon/base/status.h"

namespace earshot {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like StatusOr
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    EARSHOT_CHECK(!std::get<Status>(v_).ok()) << "Result built from an ok Status";
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }
  T&& operator*() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }

 private:
  T& checked() {
    EARSHOT_CHECK(ok()) << "value() on an error Result: " << std::get<Status>(v_).ToString();
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace earshot

// Assigns the value of a Result expression to `lhs`, or returns its Status.
#define EARSHOT_ASSIGN_OR_RETURN(lhs, expr) \
  EARSHOT_ASSIGN_OR_RETURN_IMPL_(EARSHOT_CONCAT_(earshot_result_, __LINE__), lhs, expr)
#define EARSHOT_CONCAT_INNER_(a, b) a##b
#define EARSHOT_CONCAT_(a, b) EARSHOT_CONCAT_INNER_(a, b)
#define EARSHOT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
