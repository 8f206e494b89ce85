// Diagnostics: every problem found while reading configuration or rule files, collected so that
// `earshot check` and a reload can report all of them at once in GCC's format
// ("rules/complaints.yaml:14:5: error: unknown key 'severty' ..."). Owned by whoever runs the
// load; not thread-safe (one loader fills one Diagnostics).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace earshot {

struct Diagnostic {
  enum class Level { kError, kWarning } level = Level::kError;
  std::string file;
  int line = 0, column = 0;  // 1-based; 0 = unknown
  std::string message;

  // "file:line:col: error: message"; the position parts are dropped when unknown.
  std::string ToString() const;
};

class Diagnostics {
 public:
  void Error(std::string file, int line, int column, std::string message);
  void Warning(std::string file, int line, int column, std::string message);
  void Add(Diagnostic d);
  // Appends every diagnostic of `other`.
  void Merge(const Diagnostics& other);

  // Orders the diagnostics from index `from` on by file (in order of first appearance), line
  // and column, so a reader walks each file top to bottom. Unpositioned ones stay first.
  void SortByPosition(size_t from = 0);

  bool has_errors() const { return errors_ > 0; }
  int error_count() const { return errors_; }
  int warning_count() const { return static_cast<int>(all_.size()) - errors_; }
  bool empty() const { return all_.empty(); }
  const std::vector<Diagnostic>& all() const { return all_; }

  // One line per diagnostic, in the order found.
  std::string ToText() const;
  // {"errors":N,"warnings":N,"diagnostics":[{"level":"error","file":..,"line":..,"column":..,
  //  "message":..}]}: for editors and CI.
  std::string ToJson() const;

 private:
  std::vector<Diagnostic> all_;
  int errors_ = 0;
};

}  // namespace earshot
