// LiteralScanner: which of many literal strings occur in a text, in one pass over it
// (Aho-Corasick). The regex prefilter (Matcher) asks it for the literals each text regex
// requires; its cost per byte is one table lookup however many literals there are, where an
// RE2::Set of the same literals keeps building DFA states on texts it has not seen.
//
// Matching is ASCII case-insensitive: literals and text are compared with A-Z folded to a-z,
// every other byte as itself. Built once, then immutable: Scan may run on many threads at once.
//
// Layout: the nodes near the root, which the scan visits on almost every byte, have full
// transition rows; deeper nodes keep only their children and a failure link. Thousands of rules
// make hundreds of thousands of deep nodes, and a full row for each (tens of MB) would turn the
// scan into a cache miss per byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace earshot {

class LiteralScanner {
 public:
  LiteralScanner() = default;
  explicit LiteralScanner(const std::vector<std::string>& literals);

  // Fills `found` with the sorted, distinct indexes (into the constructor's `literals`) of the
  // literals that occur in `text`. An empty literal occurs in every text.
  void Scan(std::string_view text, std::vector<int>* found) const;

  bool empty() const { return literal_count_ == 0; }
  // Bytes held by the automaton's tables, for the rule set's memory figures.
  size_t memory_bytes() const;

 private:
  // The node after reading a byte of class `cls` in `node`.
  uint32_t Next(uint32_t node, uint8_t cls) const;

  struct Child {
    uint8_t cls;
    uint32_t node;
  };

  size_t literal_count_ = 0;
  int classes_ = 1;                 // byte classes; 0 is "in no literal"
  uint8_t byte_class_[256] = {};    // byte -> class, A-Z folded to a-z
  // Nodes are numbered breadth first; those below `dense_nodes_` (the root and its nearest
  // descendants) have a full row in `rows_`: node * classes_ + class -> node.
  uint32_t dense_nodes_ = 0;
  std::vector<uint32_t> rows_;
  // Every node: its children (a range of `children_`, node + 1 ends it) and failure link.
  std::vector<uint32_t> child_begin_;
  std::vector<Child> children_;
  std::vector<uint32_t> fail_;
  std::vector<uint32_t> out_begin_; // node -> its range in outputs_ (node + 1 ends it)
  std::vector<int> outputs_;        // literal ids ending at each node, suffixes included
  std::vector<int> always_;         // empty literals
};

}  // namespace earshot
