#include "detectors/literal_scanner.h"

#include <algorithm>
#include <map>

namespace earshot {
namespace {

unsigned char Fold(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

}  // namespace

LiteralScanner::LiteralScanner(const std::vector<std::string>& literals)
    : literal_count_(literals.size()) {
  // Classes: one per distinct (folded) byte the literals use, so the table is as narrow as
  // their alphabet.
  int next_class = 1;
  uint8_t folded_class[256] = {};
  for (const std::string& literal : literals) {
    for (unsigned char c : literal) {
      unsigned char f = Fold(c);
      if (folded_class[f] == 0) folded_class[f] = static_cast<uint8_t>(next_class++);
    }
  }
  classes_ = next_class;
  for (int b = 0; b < 256; ++b) byte_class_[b] = folded_class[Fold(static_cast<unsigned char>(b))];

  // The trie, children by class.
  std::vector<std::map<int, uint32_t>> children(1);
  std::vector<std::vector<int>> ends(1);
  for (size_t i = 0; i < literals.size(); ++i) {
    if (literals[i].empty()) {
      always_.push_back(static_cast<int>(i));
      continue;
    }
    uint32_t node = 0;
    for (unsigned char c : literals[i]) {
      int cls = byte_class_[c];
      auto it = children[node].find(cls);
      if (it == children[node].end()) {
        const auto child = static_cast<uint32_t>(children.size());
        children[node].emplace(cls, child);
        children.emplace_back();
        ends.emplace_back();
        node = child;
      } else {
        node = it->second;
      }
    }
    ends[node].push_back(static_cast<int>(i));
  }

  // Renumber breadth first, so that the nodes nearest the root come first; each node's
  // failure link is known before its children are reached, so failure links and outputs (its
  // own, then its failure's) fill in one sweep.
  const size_t nodes = children.size();
  const auto width = static_cast<size_t>(classes_);
  std::vector<uint32_t> order;  // new id -> trie node
  std::vector<uint32_t> id(nodes, 0);
  std::vector<int> depth(nodes, 0);
  order.reserve(nodes);
  order.push_back(0);
  for (size_t i = 0; i < order.size(); ++i) {
    for (const auto& [cls, child] : children[order[i]]) {
      id[child] = static_cast<uint32_t>(order.size());
      depth[child] = depth[order[i]] + 1;
      order.push_back(child);
    }
  }
  // Full rows down to depth 2: at most 1 + classes + classes^2 rows, a few hundred KB.
  constexpr int kDenseDepth = 2;
  while (dense_nodes_ < nodes && depth[order[dense_nodes_]] <= kDenseDepth) ++dense_nodes_;

  fail_.assign(nodes, 0);
  child_begin_.assign(nodes + 1, 0);
  for (size_t n = 0; n < nodes; ++n) {
    const uint32_t trie = order[n];
    child_begin_[n] = static_cast<uint32_t>(children_.size());
    for (const auto& [cls, child] : children[trie]) {
      children_.push_back({static_cast<uint8_t>(cls), id[child]});
    }
  }
  child_begin_[nodes] = static_cast<uint32_t>(children_.size());
  // The goto function over the sparse structure: follow failure links until a child matches.
  auto step = [&](uint32_t node, uint8_t cls) {
    while (true) {
      for (uint32_t c = child_begin_[node]; c < child_begin_[node + 1]; ++c) {
        if (children_[c].cls == cls) return children_[c].node;
      }
      if (node == 0) return uint32_t{0};
      node = fail_[node];
    }
  };
  for (size_t n = 0; n < nodes; ++n) {  // breadth first: parents before children
    for (uint32_t c = child_begin_[n]; c < child_begin_[n + 1]; ++c) {
      const uint32_t child = children_[c].node;
      fail_[child] = n == 0 ? 0 : step(fail_[n], children_[c].cls);
    }
    // A failure link points nearer the root, to a node numbered (and filled) before this one.
    out_begin_.push_back(static_cast<uint32_t>(outputs_.size()));
    for (int literal : ends[order[n]]) outputs_.push_back(literal);
    if (n != 0) {
      for (uint32_t i = out_begin_[fail_[n]]; i < out_begin_[fail_[n] + 1]; ++i) {
        const int literal = outputs_[i];
        outputs_.push_back(literal);
      }
    }
  }
  out_begin_.push_back(static_cast<uint32_t>(outputs_.size()));
  rows_.assign(static_cast<size_t>(dense_nodes_) * width, 0);
  for (uint32_t n = 0; n < dense_nodes_; ++n) {
    for (size_t cls = 0; cls < width; ++cls) rows_[n * width + cls] = step(n, static_cast<uint8_t>(cls));
  }
}

uint32_t LiteralScanner::Next(uint32_t node, uint8_t cls) const {
  while (node >= dense_nodes_) {
    for (uint32_t i = child_begin_[node]; i < child_begin_[node + 1]; ++i) {
      if (children_[i].cls == cls) return children_[i].node;
    }
    node = fail_[node];
  }
  return rows_[node * static_cast<size_t>(classes_) + cls];
}

void LiteralScanner::Scan(std::string_view text, std::vector<int>* found) const {
  found->assign(always_.begin(), always_.end());
  if (rows_.empty()) return;
  uint32_t node = 0;
  for (unsigned char c : text) {
    node = Next(node, byte_class_[c]);
    const uint32_t begin = out_begin_[node], end = out_begin_[node + 1];
    if (begin != end) found->insert(found->end(), outputs_.begin() + begin, outputs_.begin() + end);
  }
  std::sort(found->begin(), found->end());
  found->erase(std::unique(found->begin(), found->end()), found->end());
}

size_t LiteralScanner::memory_bytes() const {
  return (rows_.size() + child_begin_.size() + fail_.size() + out_begin_.size()) *
             sizeof(uint32_t) +
         children_.size() * sizeof(Child) + outputs_.size() * sizeof(int);
}

}  // namespace earshot
