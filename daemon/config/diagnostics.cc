#include "daemon/config/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "daemon/base/json_escape.h"

namespace earshot {

std::string Diagnostic::ToString() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += fmt::format(":{}", line);
      if (column > 0) out += fmt::format(":{}", column);
    }
    out += ": ";
  }
  out += level == Level::kError ? "error: " : "warning: ";
  out += message;
  return out;
}

void Diagnostics::Error(std::string file, int line, int column, std::string message) {
  Add({Diagnostic::Level::kError, std::move(file), line, column, std::move(message)});
}

void Diagnostics::Warning(std::string file, int line, int column, std::string message) {
  Add({Diagnostic::Level::kWarning, std::move(file), line, column, std::move(message)});
}

void Diagnostics::Add(Diagnostic d) {
  if (d.level == Diagnostic::Level::kError) ++errors_;
  all_.push_back(std::move(d));
}

void Diagnostics::Merge(const Diagnostics& other) {
  for (const Diagnostic& d : other.all_) Add(d);
}

void Diagnostics::SortByPosition(size_t from) {
  if (from >= all_.size()) return;
  std::map<std::string, size_t> file_order;
  for (size_t i = from; i < all_.size(); ++i) file_order.emplace(all_[i].file, file_order.size());
  std::stable_sort(all_.begin() + static_cast<long>(from), all_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     size_t fa = file_order.at(a.file), fb = file_order.at(b.file);
                     if (fa != fb) return fa < fb;
                     if (a.line != b.line) return a.line < b.line;
                     return a.column < b.column;
                   });
}

std::string Diagnostics::ToText() const {
  std::string out;
  for (const Diagnostic& d : all_) {
    out += d.ToString();
    out += '\n';
  }
  return out;
}

std::string Diagnostics::ToJson() const {
  std::string out = fmt::format(R"({{"errors":{},"warnings":{},"diagnostics":[)", error_count(),
                                warning_count());
  bool first = true;
  for (const Diagnostic& d : all_) {
    if (!first) out += ',';
    first = false;
    out += R"({"level":")";
    out += d.level == Diagnostic::Level::kError ? "error" : "warning";
    out += R"(","file":")";
    AppendJsonEscaped(d.file, &out);
    out += fmt::format(R"(","line":{},"column":{},"message":")", d.line, d.column);
    AppendJsonEscaped(d.message, &out);
    out += "\"}";
  }
  out += "]}";
  return out;
}

}  // namespace earshot
