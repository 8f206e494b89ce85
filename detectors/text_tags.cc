#include "detectors/text_tags.h"

#include <cctype>

#include "daemon/base/ascii.h"

namespace earshot {
namespace {

// Letters, digits, '_' and any non-ASCII byte (accented and non-Latin tags are tags too).
bool IsTagByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80);
}

}  // namespace

void DeriveTagsAndMentions(std::string_view text, std::vector<std::string>* tags,
                           std::vector<std::string>* mentions) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // A sigil inside a word ("a#b", "mail@host") starts nothing.
    if ((c != '#' && c != '@') || (i > 0 && IsTagByte(text[i - 1]))) continue;
    size_t j = i + 1;
    while (j < text.size() &&
           (IsTagByte(text[j]) ||
            (c == '@' && (text[j] == '.' || text[j] == '-' || text[j] == '@') &&
             j + 1 < text.size() && IsTagByte(text[j + 1])))) {
      ++j;
    }
    if (j > i + 1) (c == '#' ? tags : mentions)->push_back(AsciiLowered(text.substr(i + 1, j - i - 1)));
    i = j - 1;
  }
}

}  // namespace earshot
