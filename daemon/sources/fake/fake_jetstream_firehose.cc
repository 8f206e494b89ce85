#include "daemon/sources/fake/fake_jetstream_firehose.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/json_escape.h"

namespace earshot {
namespace {

using std::string_view;

constexpr int64_t kMaxPostsPerSecond = 500000;  // a slot is at least 2 us: post, then extra
constexpr string_view kBase32Sortable = "234567abcdefghijklmnopqrstuvwxyz";

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <size_t N>
string_view Pick(const std::array<string_view, N>& words, uint64_t h) {
  return words[h % N];
}

// Chatter that names no brand: opener + topic + closer, per language.
struct Chatter {
  string_view lang;
  std::array<string_view, 8> openers;
  std::array<string_view, 10> topics;
  std::array<string_view, 6> closers;
};

const std::array<Chatter, 6> kChatter = {{
    {"en",
     {"honestly", "ok so", "not gonna lie,", "today", "reminder:", "hot take:", "lol", "update:"},
     {"the new season of that show is so good", "my cat knocked the coffee over again",
      "the bus was twenty minutes late this morning", "sourdough attempt number four went fine",
      "I finally finished the book everyone recommended", "the rain will not stop here",
      "trying to learn rust and my brain hurts", "best tacos in town are behind the station",
      "the playoffs are going to ruin my sleep", "my garden tomatoes are finally red"},
     {"", "!", " anyway", " 🙃", " what a week", " thoughts?"}},
    {"ja",
     {"今日は", "やっと", "なんか", "朝から", "ついに", "正直"},  // and two without opener
     {"新しいカフェに行ってきた", "電車が遅れて大変だった", "猫がずっと寝ている",
      "桜がきれいに咲いていた", "ラーメンがおいしかった", "仕事が終わらない", "雨がすごい",
      "映画を見てきた", "部屋の掃除をした", "ゲームの新作が楽しみ"},
     {"", "。", "！", "w", " 😊", "…"}},
    {"pt",
     {"gente,", "hoje", "sério,", "bom dia!", "finalmente", "olha só:", "", "enfim,"},
     {"o ônibus atrasou de novo", "fiz pão de queijo pela primeira vez",
      "meu gato derrubou tudo da mesa", "esse calor está demais", "terminei a série ontem",
      "o jogo foi incrível", "choveu o dia inteiro", "comecei a estudar violão",
      "a feira estava cheia", "meu café acabou"},
     {"", "!", " kkkk", " 😅", " né", "..."}},
    {"es",
     {"hoy", "la verdad,", "por fin", "buenos días,", "ojo:", "", "bueno,", "otra vez"},
     {"el metro iba lleno", "hice tortilla de patatas", "mi perro no para de ladrar",
      "qué calor hace", "terminé el libro", "el partido estuvo increíble", "llueve sin parar",
      "empecé a correr por las mañanas", "el mercado estaba lleno", "se me acabó el café"},
     {"", "!", " jaja", " 😂", " en fin", "..."}},
    {"de",
     {"heute", "ehrlich gesagt", "endlich", "guten Morgen,", "", "kurz:", "also", "wieder mal"},
     {"die Bahn hatte mal wieder Verspätung", "ich habe Brot gebacken",
      "meine Katze schläft den ganzen Tag", "es regnet seit Stunden", "das Buch ist fertig",
      "das Spiel war spannend", "der Kaffee ist alle", "ich lerne jetzt Gitarre",
      "der Markt war voll", "Frühling kommt endlich"},
     {"", "!", " 😄", " naja", " ...", " oder?"}},
    {"fr",
     {"aujourd'hui", "bon,", "enfin", "bonjour,", "", "franchement", "petit rappel:", "encore"},
     {"le métro était en retard", "j'ai fait une tarte aux pommes", "mon chat dort partout",
      "il pleut depuis ce matin", "j'ai fini le livre", "le match était incroyable",
      "plus de café à la maison", "j'apprends la guitare", "le marché était bondé",
      "le printemps arrive enfin"},
     {"", " !", " 😅", " bref", "...", " non ?"}},
}};

// Posts that name a brand. "{B}" is where the brand goes (name, @handle or #tag).
constexpr std::array<string_view, 12> kComplaints = {
    "{B} lost my bag in Denver and nobody answers the phone",
    "three hours on hold with {B} and still no refund",
    "{B} cancelled my flight without notice, no refund, no explanation",
    "thanks for nothing {B}, my package never arrived",
    "the {B} app is down again and my card was declined",
    "{B} charged me twice and customer service hung up on me",
    "still no internet, {B} says an engineer is coming, for the third day",
    "{B} agent was rude and dismissive, worst service ever",
    "day 5 without my luggage. {B} where is my bag??",
    "{B} marked my order as delivered but it never arrived",
    "{B} perdió mi maleta y nadie contesta",
    "{B} hat meinen Flug ohne Vorwarnung gestrichen, keine Erstattung",
};
constexpr std::array<string_view, 8> kBrandChatter = {
    "flying {B} tomorrow, any tips for the lounge?",
    "shoutout to {B} for the quick fix yesterday",
    "does anyone know if {B} has wifi on short flights",
    "{B} new ad is everywhere lol",
    "just ordered from {B}, let's see",
    "{B} stock is up again",
    "comprei na {B} ontem, chegou rápido",
    "le service client de {B} a été rapide",
};
constexpr std::array<string_view, 4> kTagSuffixes = {"Sucks", "Fail", "Fails", "Worst"};

struct Facet {
  size_t start, end;
  std::string feature;  // the features array's element
};

std::string Lower(string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Base32(uint64_t v, int chars) {
  std::string out(static_cast<size_t>(chars), '2');
  for (int i = chars - 1; i >= 0; --i, v >>= 5)
    out[static_cast<size_t>(i)] = kBase32Sortable[v & 31];
  return out;
}

}  // namespace

std::vector<std::string> FirehoseBrands(int n) {
  static constexpr std::array<string_view, 20> kSyllables = {
      "ac",   "me", "lum",  "en",  "bank", "fresh", "cart", "swift", "drop", "kes",
      "trel", "mo", "bile", "gra", "nite", "trust", "nor",  "moor",  "vel",  "quin"};
  std::vector<std::string> names;
  if (n <= 0) return names;
  names.push_back("AcmeAir");
  for (uint64_t i = 0; static_cast<int>(names.size()) < n; ++i) {
    const uint64_t h = SplitMix(i + 0x5eed);
    std::string name;
    const int parts = 2 + static_cast<int>(h % 3);
    for (int p = 0; p < parts; ++p) name += kSyllables[(h >> (8 + 5 * p)) % kSyllables.size()];
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    const std::string lower = Lower(name);
    if (lower.size() < 5 || std::any_of(names.begin(), names.end(),
                                        [&](const std::string& o) { return Lower(o) == lower; })) {
      continue;
    }
    names.push_back(std::move(name));
  }
  return names;
}

JetstreamFirehose::JetstreamFirehose(FirehosePlan plan, int64_t start_us) : plan_(std::move(plan)) {
  plan_.posts = std::max<int64_t>(0, plan_.posts);
  plan_.authors = std::max(1, plan_.authors);
  plan_.posts_per_second = std::clamp<int64_t>(plan_.posts_per_second, 0, kMaxPostsPerSecond);
  start_us_ = start_us;
  period_num_ = plan_.posts_per_second == 0 ? 2 : 1000000;
  period_den_ = plan_.posts_per_second == 0 ? 1 : plan_.posts_per_second;
}

int64_t JetstreamFirehose::SlotTime(int64_t slot) const {
  return start_us_ + static_cast<int64_t>(static_cast<__int128>(slot) * period_num_ / period_den_);
}

JetstreamFirehose::Position JetstreamFirehose::FromCursor(int64_t cursor_us) const {
  const int64_t d = cursor_us - start_us_;
  if (d <= 0) return plan_.posts > 0 ? Position{0, 0} : end();
  // The least k with floor(k * num / den) >= d, i.e. k * num / den >= d.
  const __int128 k128 = (static_cast<__int128>(d) * period_den_ + period_num_ - 1) / period_num_;
  int64_t k = static_cast<int64_t>(std::min<__int128>(k128, plan_.posts));
  // The extra after slot k - 1 sits at T(k - 1) + 1, which may still be >= the cursor.
  if (k > 0 && HasExtra(k - 1) && SlotTime(k - 1) + 1 >= cursor_us) return Position{k - 1, 1};
  return k >= plan_.posts ? end() : Position{k, 0};
}

JetstreamFirehose::Position JetstreamFirehose::After(Position p) const {
  if (p.sub == 0 && HasExtra(p.slot)) return Position{p.slot, 1};
  return p.slot + 1 >= plan_.posts ? end() : Position{p.slot + 1, 0};
}

bool JetstreamFirehose::HasExtra(int64_t slot) const {
  return (plan_.poison_every > 0 && (slot + 1) % plan_.poison_every == 0) ||
         (plan_.extra_every > 0 && (slot + 1) % plan_.extra_every == 0);
}

JetstreamFirehose::EventKind JetstreamFirehose::Kind(Position p) const {
  if (p.sub == 0) return EventKind::kPost;
  if (plan_.poison_every > 0 && (p.slot + 1) % plan_.poison_every == 0) return EventKind::kPoison;
  switch ((p.slot + 1) / std::max(1, plan_.extra_every) % 4) {
    case 1:
      return EventKind::kDelete;
    case 3:
      return EventKind::kAccount;
    default:
      return EventKind::kIdentity;
  }
}

uint64_t JetstreamFirehose::Mix(int64_t slot, uint64_t salt) const {
  return SplitMix(SplitMix(plan_.seed ^ (salt * 0x9e3779b97f4a7c15ULL)) ^
                  static_cast<uint64_t>(slot));
}

bool JetstreamFirehose::MentionsBrand(int64_t slot) const {
  return plan_.brand_every > 0 && !plan_.brands.empty() &&
         Mix(slot, 1) % static_cast<uint64_t>(plan_.brand_every) == 0;
}

bool JetstreamFirehose::Complains(int64_t slot) const {
  return MentionsBrand(slot) && static_cast<int>(Mix(slot, 2) % 100) < plan_.complaint_percent;
}

int64_t JetstreamFirehose::Author(int64_t slot) const {
  return static_cast<int64_t>(Mix(slot, 3) % static_cast<uint64_t>(plan_.authors));
}

std::string JetstreamFirehose::Did(int64_t author) const {
  const uint64_t h = SplitMix(plan_.seed * 31 + static_cast<uint64_t>(author));
  return "did:plc:" + Base32(h, 12) + Base32(SplitMix(h), 12);
}

std::string JetstreamFirehose::BrandDid(std::string_view brand) const {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: the brand's account, stable across runs
  for (unsigned char c : Lower(brand)) h = (h ^ c) * 1099511628211ULL;
  return Did(-1 - static_cast<int64_t>(h >> 2));
}

std::string JetstreamFirehose::Handle(int64_t author) const {
  static constexpr std::array<string_view, 12> kNames = {
      "alex", "sam", "mika", "jo", "luca", "noor", "kai", "rina", "theo", "ana", "yuki", "ben"};
  const uint64_t h = SplitMix(plan_.seed * 17 + static_cast<uint64_t>(author));
  return fmt::format("{}{}.bsky.social", kNames[h % kNames.size()], author);
}

std::string JetstreamFirehose::Rkey(int64_t slot) const {
  // A TID, as Bluesky names records: 53 bits of microseconds, 10 of clock id, base32-sortable.
  const uint64_t tid = (static_cast<uint64_t>(SlotTime(slot)) << 10) | (plan_.seed & 1023);
  return Base32(tid & ((uint64_t{1} << 63) - 1), 13);
}

std::string JetstreamFirehose::PostId(int64_t slot) const {
  return fmt::format("at://{}/app.bsky.feed.post/{}", Did(Author(slot)), Rkey(slot));
}

std::string JetstreamFirehose::PostFrame(int64_t slot) const {
  const uint64_t lang_roll = Mix(slot, 4) % 100;
  const Chatter& chatter = lang_roll < 55   ? kChatter[0]
                           : lang_roll < 67 ? kChatter[1]
                           : lang_roll < 77 ? kChatter[2]
                           : lang_roll < 86 ? kChatter[3]
                           : lang_roll < 93 ? kChatter[4]
                                            : kChatter[5];
  std::string text;
  std::vector<Facet> facets;
  string_view lang = chatter.lang;
  if (MentionsBrand(slot)) {
    const std::string& brand = plan_.brands[Mix(slot, 5) % plan_.brands.size()];
    const bool complaint = Complains(slot);
    const string_view tmpl =
        complaint ? Pick(kComplaints, Mix(slot, 6)) : Pick(kBrandChatter, Mix(slot, 6));
    lang = tmpl.find("perdió") != string_view::npos           ? "es"
           : tmpl.find("gestrichen") != string_view::npos     ? "de"
           : tmpl.find("comprei") != string_view::npos        ? "pt"
           : tmpl.find("service client") != string_view::npos ? "fr"
                                                              : "en";
    const size_t at = tmpl.find("{B}");
    text.append(tmpl.substr(0, at));
    const size_t start = text.size();
    switch (Mix(slot, 7) % 3) {
      case 0:
        text += brand;
        break;
      case 1: {
        text += "@" + Lower(brand) + ".bsky.social";
        facets.push_back({start, text.size(),
                          fmt::format(R"({{"$type":"app.bsky.richtext.facet#mention","did":"{}"}})",
                                      BrandDid(brand))});
        break;
      }
      default: {
        const std::string tag =
            complaint ? brand + std::string(Pick(kTagSuffixes, Mix(slot, 8))) : brand;
        text += "#" + tag;
        facets.push_back(
            {start, text.size(),
             fmt::format(R"({{"$type":"app.bsky.richtext.facet#tag","tag":"{}"}})", tag)});
        break;
      }
    }
    text.append(tmpl.substr(at + 3));
  } else {
    const uint64_t h = Mix(slot, 6);
    const string_view opener = chatter.openers[h % chatter.openers.size()];
    if (!opener.empty()) {
      text.append(opener);
      text += ' ';
    }
    text.append(chatter.topics[(h >> 8) % chatter.topics.size()]);
    text.append(chatter.closers[(h >> 16) % chatter.closers.size()]);
  }
  std::string facets_json;
  if (!facets.empty()) {
    facets_json = ",\"facets\":[";
    for (size_t i = 0; i < facets.size(); ++i) {
      fmt::format_to(std::back_inserter(facets_json),
                     R"({}{{"features":[{}],"index":{{"byteEnd":{},"byteStart":{}}}}})",
                     i ? "," : "", facets[i].feature, facets[i].end, facets[i].start);
    }
    facets_json += ']';
  }
  std::string reply_json;
  if (slot > 10 && Mix(slot, 9) % 5 == 0) {  // one post in five answers an earlier one
    const int64_t parent = slot - 1 - static_cast<int64_t>(Mix(slot, 10) % 10);
    const std::string uri = PostId(parent);
    const std::string cid = "bafyreig" + Rkey(parent);
    reply_json = fmt::format(
        R"(,"reply":{{"parent":{{"cid":"{}","uri":"{}"}},"root":{{"cid":"{}","uri":"{}"}}}})", cid,
        uri, cid, uri);
  }
  const int64_t t = SlotTime(slot);
  const std::string rkey = Rkey(slot);
  const std::string created =
      FormatIso8601(SystemTime(std::chrono::microseconds(t - 300000)));  // written just before
  return fmt::format(
      R"({{"did":"{}","time_us":{},"kind":"commit","commit":{{"rev":"{}","operation":"create",)"
      R"("collection":"app.bsky.feed.post","rkey":"{}","record":{{"$type":"app.bsky.feed.post",)"
      R"("createdAt":"{}"{},"langs":["{}"]{},"text":{}}},"cid":"bafyreig{}"}}}})",
      Did(Author(slot)), t, rkey, rkey, created, facets_json, lang, reply_json, JsonQuoted(text),
      rkey);
}

std::string JetstreamFirehose::ExtraFrame(int64_t slot) const {
  const Position p{slot, 1};
  const int64_t t = TimeUs(p);
  const int64_t author = static_cast<int64_t>(Mix(slot, 11) % static_cast<uint64_t>(plan_.authors));
  const std::string did = Did(author);
  const std::string when = FormatIso8601(SystemTime(std::chrono::microseconds(t)));
  switch (Kind(p)) {
    case EventKind::kPoison:
      if ((slot + 1) / plan_.poison_every % 2 == 0) {
        // A post whose text is a number: JSON, but no post.
        return fmt::format(
            R"({{"did":"{}","time_us":{},"kind":"commit","commit":{{"rev":"3lpoison",)"
            R"("operation":"create","collection":"app.bsky.feed.post","rkey":"3lpoison{}",)"
            R"("record":{{"$type":"app.bsky.feed.post","text":42,"createdAt":"{}"}}}}}})",
            did, t, slot, when);
      } else {
        // A frame cut in half: not JSON.
        std::string frame = PostFrame(slot);
        frame.resize(frame.size() / 2);
        return frame;
      }
    case EventKind::kIdentity:
      return fmt::format(
          R"({{"did":"{}","time_us":{},"kind":"identity","identity":{{"did":"{}","handle":"{}",)"
          R"("seq":{},"time":"{}"}}}})",
          did, t, did, Handle(author), slot, when);
    case EventKind::kDelete: {
      const int64_t victim = slot >= 7 ? slot - 7 : 0;
      return fmt::format(
          R"({{"did":"{}","time_us":{},"kind":"commit","commit":{{"rev":"{}",)"
          R"("operation":"delete","collection":"app.bsky.feed.post","rkey":"{}"}}}})",
          Did(Author(victim)), t, Base32(static_cast<uint64_t>(t) << 10, 13), Rkey(victim));
    }
    case EventKind::kAccount:
      return fmt::format(
          R"({{"did":"{}","time_us":{},"kind":"account","account":{{"active":{},"did":"{}",)"
          R"("seq":{},"time":"{}"{}}}}})",
          did, t, slot % 2 ? "true" : "false", did, slot, when,
          slot % 2 ? "" : R"(,"status":"deactivated")");
    case EventKind::kPost:
      break;
  }
  return PostFrame(slot);
}

std::string JetstreamFirehose::Frame(Position p) const {
  return p.sub == 0 ? PostFrame(p.slot) : ExtraFrame(p.slot);
}

FirehoseTally JetstreamFirehose::Tally(int64_t n) const {
  FirehoseTally t;
  n = std::min(n, plan_.posts);
  for (int64_t k = 0; k < n; ++k) {
    ++t.events;
    ++t.posts;
    if (MentionsBrand(k)) ++t.brand_posts;
    if (Complains(k)) ++t.complaint_posts;
    if (!HasExtra(k)) continue;
    ++t.events;
    switch (Kind(Position{k, 1})) {
      case EventKind::kPoison:
        ++t.poison;
        break;
      case EventKind::kIdentity:
        ++t.identities;
        break;
      case EventKind::kDelete:
        ++t.deletes;
        break;
      case EventKind::kAccount:
        ++t.accounts;
        break;
      case EventKind::kPost:
        break;
    }
  }
  return t;
}

}  // namespace earshot
