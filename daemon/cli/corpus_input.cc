#include "daemon/cli/corpus_input.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <filesystem>
#include <istream>
#include <ostream>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/base/ascii.h"
#include "daemon/base/clock.h"
#include "daemon/base/paths.h"
#include "daemon/base/utf8.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "detectors/detector.h"
#include "daemon/model/post_limits.h"
#include "detectors/text_tags.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using simdjson::ondemand::object;

// Reads earshot's normalized post. Only id and text are required.
Status ReadNormalized(object obj, Post* post) {
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Status::InvalidArgument("bad key");
    auto value = field.value();
    std::string_view s;
    auto str = [&](std::string* out) -> Status {
      if (value.get_string().get(s)) {
        return Status::InvalidArgument(fmt::format("'{}': expected a string", key));
      }
      out->assign(s);
      return Status::Ok();
    };
    auto list = [&](std::vector<std::string>* out) -> Status {
      simdjson::ondemand::array arr;
      if (value.get_array().get(arr)) {
        return Status::InvalidArgument(fmt::format("'{}': expected a list of strings", key));
      }
      for (auto item : arr) {
        if (item.get_string().get(s)) {
          return Status::InvalidArgument(fmt::format("'{}': expected a list of strings", key));
        }
        std::string v(s.starts_with('#') || s.starts_with('@') ? s.substr(1) : s);
        AsciiLowerInPlace(v);
        out->push_back(std::move(v));
      }
      return Status::Ok();
    };
    if (key == "id") {
      int64_t n;
      if (value.get_int64().get(n) == simdjson::SUCCESS) {
        post->id = std::to_string(n);
      } else {
        EARSHOT_RETURN_IF_ERROR(str(&post->id));
      }
    } else if (key == "text") {
      EARSHOT_RETURN_IF_ERROR(str(&post->text));
    } else if (key == "author") {
      EARSHOT_RETURN_IF_ERROR(str(&post->author.handle));
    } else if (key == "followers") {
      if (value.get_int64().get(post->author.followers)) {
        return Status::InvalidArgument("'followers': expected an integer");
      }
    } else if (key == "hashtags") {
      EARSHOT_RETURN_IF_ERROR(list(&post->hashtags));
    } else if (key == "mentions") {
      EARSHOT_RETURN_IF_ERROR(list(&post->mentions));
    } else if (key == "lang" || key == "language") {
      EARSHOT_RETURN_IF_ERROR(str(&post->language));
    } else if (key == "thread") {
      EARSHOT_RETURN_IF_ERROR(str(&post->thread_key));
    } else if (key == "network") {
      EARSHOT_RETURN_IF_ERROR(str(&post->network));
    } else if (key == "created_at") {
      std::string t;
      EARSHOT_RETURN_IF_ERROR(str(&t));
      auto parsed = ParseIso8601(t);
      if (!parsed) return Status::InvalidArgument("'created_at': expected ISO-8601 UTC");
      post->created_at = *parsed;
    }
  }
  if (post->id.empty()) return Status::InvalidArgument("'id' is missing");
  return Status::Ok();
}

}  // namespace

bool TakeDetectorFlag(const std::vector<std::string>& args, size_t* i, DetectorFlags* flags,
                      std::string* error) {
  const std::string& a = args[*i];
  if (a != "--config" && a != "--rules" && a != "--brand" && a != "--lexicon") return false;
  if (*i + 1 >= args.size()) {
    *error = fmt::format("{} needs a value", a);
    return true;
  }
  const std::string& v = args[++*i];
  if (a == "--config") flags->config = v;
  if (a == "--rules") flags->rules.push_back(v);
  if (a == "--brand") flags->brands.push_back(v);
  if (a == "--lexicon") flags->lexicon = v;
  return true;
}

bool LoadCorpusDetector(const DetectorFlags& flags, std::string_view command, std::ostream& err,
                        AppConfig* config, std::shared_ptr<const Detector>* detector) {
  Diagnostics diags;
  if (!flags.config.empty()) {
    auto loaded = LoadAppConfig(flags.config, &diags);
    if (!loaded.ok()) {
      err << diags.ToText() << fmt::format("earshot {}: {}\n", command, loaded.status().message());
      return false;
    }
    *config = *std::move(loaded);
  } else {
    const fs::path rules_dir = DefaultRulesDir();
    config->brands = flags.brands;
    for (const auto& r : flags.rules) config->rule_files.emplace_back(r);
    if (config->rule_files.empty()) config->rule_files = DefaultRuleFiles();
    config->lexicon_dir = flags.lexicon.empty() ? rules_dir / "lexicon" : fs::path(flags.lexicon);
  }
  auto built = BuildDetector(*config, &diags);
  if (!built.ok()) {
    err << diags.ToText() << fmt::format("earshot {}: {}\n", command, built.status().message());
    return false;
  }
  *detector = *std::move(built);
  return true;
}

void CompleteCorpusPost(Post* post) {
  if (post->network.empty()) post->network = "replay";
  if (post->thread_key.empty()) post->thread_key = post->id;
  if (post->hashtags.empty() && post->mentions.empty()) {
    DeriveTagsAndMentions(post->text, &post->hashtags, &post->mentions);
  }
}

CorpusLine ReadCorpusLine(std::istream& in, std::string* line, size_t* length,
                          size_t max_bytes) {
  line->clear();
  *length = 0;
  // istream::getline into a fixed buffer: a chunk at a time, so an endless line costs one
  // chunk of memory, not the line.
  char chunk[64 * 1024];
  bool any = false;
  for (;;) {
    in.getline(chunk, sizeof chunk);
    const auto got = static_cast<size_t>(in.gcount());
    const bool full = in.fail() && !in.eof() && got == sizeof chunk - 1;  // no '\n' yet
    const bool ended = !full && !in.eof();  // a '\n' was taken (and counted in gcount)
    const size_t n = ended ? got - 1 : got;
    if (got > 0) any = true;
    *length += n;
    if (*length <= max_bytes) line->append(chunk, n);
    if (full) {
      in.clear(in.rdstate() & ~std::ios::failbit);
      continue;
    }
    if (!ended && !any) return CorpusLine::kEnd;
    if (in.bad()) return CorpusLine::kEnd;
    if (in.eof()) in.clear(in.rdstate() & ~std::ios::failbit);  // a last line without '\n'
    if (*length > max_bytes) {
      line->clear();
      return CorpusLine::kTooLong;
    }
    return CorpusLine::kLine;
  }
}

struct CorpusReader::Parsers {
  simdjson::ondemand::parser json;
  mastodon::StatusParser statuses{"replay.local"};
};

CorpusReader::CorpusReader() : parsers_(std::make_unique<Parsers>()) {}
CorpusReader::~CorpusReader() = default;

Status CorpusReader::Read(const std::string& line, Post* post) {
  // Invalid UTF-8 and lone surrogate escapes become U+FFFD, as they do from the networks: one
  // bad character must not make a line unreadable.
  std::string scrubbed;
  const std::string_view text = utf8::ScrubJson(line, &scrubbed);
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  object obj;
  if (parsers_->json.iterate(padded).get(doc) || doc.get_object().get(obj)) {
    return Status::InvalidArgument("not a JSON object");
  }
  simdjson::ondemand::value account;
  if (obj.find_field_unordered("account").get(account) == simdjson::SUCCESS) {
    auto parsed = parsers_->statuses.ParseStatus(text);
    if (!parsed.ok()) return parsed.status();
    *post = *std::move(parsed);
  } else {
    obj.reset();
    EARSHOT_RETURN_IF_ERROR(ReadNormalized(obj, post));
  }
  TruncatePostText(post);  // as the poller does: replay judges what the daemon would
  CompleteCorpusPost(post);
  return Status::Ok();
}

}  // namespace earshot
