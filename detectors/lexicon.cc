#include "detectors/lexicon.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "daemon/base/file_read.h"
#include "detectors/sentiment_text.h"
#include "detectors/utf8.h"

namespace earshot {
namespace {

constexpr double kMaxOverlayValence = 4.0;  // VADER's raters scored from -4 to +4
constexpr size_t kMaxPhraseWords = 8;

std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return utf8::IsAsciiSpace(static_cast<unsigned char>(c)); };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Python's float() for the plain decimal forms the lexicon files use.
std::optional<double> ParseDouble(std::string_view s) {
  s = TrimSpace(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Calls fn(line_number, line) for each '\n'-separated line of `text` after Python's
// text.rstrip('\n'), so a trailing newline adds no empty last line.
template <class Fn>
Status ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    ++line_no;
    EARSHOT_RETURN_IF_ERROR(fn(line_no, text.substr(pos, end - pos)));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return Status::Ok();
}

Status LineError(std::string_view name, size_t line, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}:{}: error: {}", name, line, what));
}

std::string_view Extension(std::string_view name) {
  const size_t slash = name.find_last_of('/');
  const size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return name.substr(dot);
}

}  // namespace

Result<std::shared_ptr<const Lexicon>> Lexicon::Load(
    const std::filesystem::path& dir, const std::vector<std::filesystem::path>& overlays) {
  const std::filesystem::path vader_path = dir / "vader_lexicon.txt";
  const std::filesystem::path emoji_path = dir / "emoji_utf8_lexicon.txt";
  EARSHOT_ASSIGN_OR_RETURN(std::string vader, ReadRegularFileNamed(vader_path));
  EARSHOT_ASSIGN_OR_RETURN(std::string emoji, ReadRegularFileNamed(emoji_path));
  std::shared_ptr<Lexicon> lex(new Lexicon());
  EARSHOT_RETURN_IF_ERROR(lex->ParseVader(vader, vader_path.string()));
  EARSHOT_RETURN_IF_ERROR(lex->ParseEmoji(emoji, emoji_path.string()));
  for (const auto& overlay : overlays) {
    EARSHOT_ASSIGN_OR_RETURN(std::string text, ReadRegularFileNamed(overlay));
    EARSHOT_RETURN_IF_ERROR(lex->ApplyOverlay(overlay.string(), text));
  }
  return std::shared_ptr<const Lexicon>(std::move(lex));
}

Result<std::shared_ptr<const Lexicon>> Lexicon::FromText(std::string_view vader_text,
                                                         std::string_view emoji_text,
                                                         std::string_view vader_name,
                                                         std::string_view emoji_name) {
  std::shared_ptr<Lexicon> lex(new Lexicon());
  EARSHOT_RETURN_IF_ERROR(lex->ParseVader(vader_text, vader_name));
  EARSHOT_RETURN_IF_ERROR(lex->ParseEmoji(emoji_text, emoji_name));
  return std::shared_ptr<const Lexicon>(std::move(lex));
}

Result<std::shared_ptr<const Lexicon>> Lexicon::WithOverlayText(std::string_view name,
                                                                std::string_view text) const {
  std::shared_ptr<Lexicon> lex(new Lexicon(*this));
  EARSHOT_RETURN_IF_ERROR(lex->ApplyOverlay(name, text));
  return std::shared_ptr<const Lexicon>(std::move(lex));
}

std::optional<double> Lexicon::Valence(std::string_view key) const {
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return entries_[it->second].valence;
}

std::string_view Lexicon::EmojiDescription(char32_t cp) const {
  const auto it = std::lower_bound(emoji_.begin(), emoji_.end(), cp,
                                   [](const auto& e, char32_t c) { return e.first < c; });
  if (it == emoji_.end() || it->first != cp) return {};
  return it->second;
}

void Lexicon::Set(std::string_view key, double valence, bool phrase) {
  const auto it = index_.find(key);
  if (it != index_.end()) {
    Entry& e = entries_[it->second];
    e.valence = valence;
    e.phrase = e.phrase || phrase;
    return;
  }
  index_.emplace(std::string(key), entries_.size());
  entries_.push_back(Entry{std::string(key), valence, phrase});
}

Status Lexicon::ParseVader(std::string_view text, std::string_view name) {
  return ForEachLine(text, [&](size_t line_no, std::string_view line) -> Status {
    if (line.empty()) return Status::Ok();  // the reference skips empty lines
    line = TrimSpace(line);
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return LineError(name, line_no, "expected 'token<TAB>valence'; the line has no tab");
    }
    const std::string_view token = line.substr(0, tab);
    std::string_view rest = line.substr(tab + 1);
    rest = rest.substr(0, rest.find('\t'));
    const std::optional<double> valence = ParseDouble(rest);
    if (!valence) {
      return LineError(name, line_no,
                       fmt::format("valence '{}' of '{}' is not a number", rest, token));
    }
    Set(token, *valence, false);
    return Status::Ok();
  });
}

Status Lexicon::ParseEmoji(std::string_view text, std::string_view name) {
  std::vector<std::pair<char32_t, std::string>> single;
  Status st = ForEachLine(text, [&](size_t line_no, std::string_view line) -> Status {
    line = TrimSpace(line);
    if (line.empty()) return Status::Ok();
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0) {
      return LineError(name, line_no, "expected 'emoji<TAB>description'");
    }
    const std::string_view emoji = line.substr(0, tab);
    std::string_view description = line.substr(tab + 1);
    description = description.substr(0, description.find('\t'));
    ++emoji_lines_;
    const utf8::Decoded d = utf8::Decode(emoji.data(), emoji.data() + emoji.size());
    if (d.len == emoji.size() && d.cp >= 0x80 && d.cp < utf8::kInvalidByteBase) {
      single.emplace_back(d.cp, std::string(description));
    }
    return Status::Ok();
  });
  EARSHOT_RETURN_IF_ERROR(st);
  // Last duplicate wins, as with the reference's dict: a stable sort keeps file order among
  // equal code points, then keep the last of each run.
  std::stable_sort(single.begin(), single.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  emoji_.clear();
  for (size_t i = 0; i < single.size(); ++i) {
    if (i + 1 < single.size() && single[i + 1].first == single[i].first) continue;
    emoji_.push_back(std::move(single[i]));
  }
  return Status::Ok();
}

Status Lexicon::ApplyOverlay(std::string_view name, std::string_view text) {
  const std::string_view ext = Extension(name);
  if (ext == ".yaml" || ext == ".yml") return ApplyYamlOverlay(name, text);
  if (ext == ".tsv" || ext == ".txt") return ApplyTsvOverlay(name, text);
  return Status::InvalidArgument(fmt::format(
      "{}: error: unknown overlay format '{}'; name the file .yaml, .yml or .tsv", name, ext));
}

namespace {

// Checks and normalises one overlay entry; `where` is "file:line" or "file:line:col".
Result<std::pair<std::string, double>> OverlayEntry(std::string_view where, std::string_view key,
                                                    std::string_view value) {
  std::string normalized = sentiment_text::NormalizeEntry(key);
  if (normalized.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: error: entry '{}' has no word left after removing punctuation", where,
                    key));
  }
  if (static_cast<size_t>(std::count(normalized.begin(), normalized.end(), ' ')) >=
      kMaxPhraseWords) {
    return Status::InvalidArgument(fmt::format(
        "{}: error: phrase '{}' is longer than {} words; shorten it", where, key,
        kMaxPhraseWords));
  }
  const std::optional<double> valence = ParseDouble(value);
  if (!valence || !std::isfinite(*valence)) {
    return Status::InvalidArgument(fmt::format(
        "{}: error: valence '{}' of '{}' is not a number; write e.g. -1.5", where, value, key));
  }
  if (std::fabs(*valence) > kMaxOverlayValence) {
    return Status::InvalidArgument(fmt::format(
        "{}: error: valence {} of '{}' is outside VADER's scale; use -4 to 4", where, value,
        key));
  }
  return std::make_pair(std::move(normalized), *valence);
}

}  // namespace

Status Lexicon::ApplyTsvOverlay(std::string_view name, std::string_view text) {
  return ForEachLine(text, [&](size_t line_no, std::string_view line) -> Status {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimSpace(line).empty() || line.front() == '#') return Status::Ok();
    const size_t tab = line.find('\t');
    const std::string where = fmt::format("{}:{}", name, line_no);
    if (tab == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "{}: error: expected 'word or phrase<TAB>valence'; the line has no tab", where));
    }
    std::string_view value = line.substr(tab + 1);
    value = value.substr(0, value.find('\t'));
    EARSHOT_ASSIGN_OR_RETURN(auto entry, OverlayEntry(where, line.substr(0, tab), value));
    Set(entry.first, entry.second, entry.first.find(' ') != std::string::npos);
    return Status::Ok();
  });
}

Status Lexicon::ApplyYamlOverlay(std::string_view name, std::string_view text) {
  auto where = [&](const YAML::Mark& m) {
    return fmt::format("{}:{}:{}", name, m.line + 1, m.column + 1);  // yaml-cpp counts from 0
  };
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}: error: not valid YAML: {}", where(e.mark), e.msg));
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) {
    return Status::InvalidArgument(fmt::format(
        "{}: error: an overlay is a mapping with a 'words' key; see docs/sentiment.md",
        where(root.Mark())));
  }
  try {
    for (const auto& top : root) {
      const std::string key = top.first.as<std::string>();
      if (key != "words") {
        return Status::InvalidArgument(fmt::format(
            "{}: error: unknown key '{}'; an overlay has only 'words'", where(top.first.Mark()),
            key));
      }
      const YAML::Node& words = top.second;
      if (words.IsNull()) continue;
      if (!words.IsMap()) {
        return Status::InvalidArgument(fmt::format(
            "{}: error: 'words' must map each word or phrase to a valence, e.g. 'on hold: -1.2'",
            where(words.Mark())));
      }
      for (const auto& w : words) {
        if (!w.first.IsScalar() || !w.second.IsScalar()) {
          return Status::InvalidArgument(fmt::format(
              "{}: error: expected 'word or phrase: valence'", where(w.first.Mark())));
        }
        EARSHOT_ASSIGN_OR_RETURN(
            auto entry, OverlayEntry(where(w.first.Mark()), w.first.Scalar(), w.second.Scalar()));
        Set(entry.first, entry.second, entry.first.find(' ') != std::string::npos);
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: error: {}", where(e.mark), e.msg));
  }
  return Status::Ok();
}

}  // namespace earshot
