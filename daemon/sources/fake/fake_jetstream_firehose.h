// JetstreamFirehose: a generated Bluesky firehose, for FakeJetstream's PlayGenerated and the
// firehose benchmark. Every event is a pure function of its position and the plan, so nothing
// is stored: a stream of millions of events costs the fake a few kilobytes, and any cursor
// replays exactly what was sent before.
//
// The stream is `posts` post slots, one every 1e6 / posts_per_second microseconds:
//   slot k at time_us T(k) = start_us + floor(k * 1e6 / posts_per_second): a post (commit
//     create in app.bsky.feed.post) by an author from a pool of `authors` DIDs, with text in
//     English, Spanish, Portuguese, German, French or Japanese; about one in `brand_every`
//     names one of `brands` (in the text, as an @handle mention facet or a #hashtag facet),
//     and `complaint_percent` of those are complaints ("#AcmeAirSucks lost my bag ...").
//   after some slots, at T(k) + 1, one more event that is not a post: every `poison_every`-th
//     slot a poison frame (not JSON, or a post whose text is not a string), else every
//     `extra_every`-th slot an identity (a handle for an author), a delete of an earlier post
//     or an account event, in turn.
// So time_us is strictly increasing (a slot is at least 2 us long: posts_per_second <= 500,000)
// and posts_per_second is the rate of posts, the extras riding between them.
//
// posts_per_second = 0 plays as fast as the client reads: the slots are 2 us apart and every
// event is due at once (time_us then runs ahead of the clock: 0.6 s for 300,000 posts).
//
// Threads: immutable after construction; every method may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace earshot {

struct FirehosePlan {
  int64_t posts_per_second = 5000;  // 0: as fast as the client reads; at most 500,000
  int64_t posts = 300000;           // post slots; after the last one the stream is quiet
  std::vector<std::string> brands = {"AcmeAir"};  // FirehoseBrands(n) for more
  int brand_every = 50;        // about one post in this many names a brand; 0: none does
  int complaint_percent = 40;  // of the posts naming a brand, this share complain
  int extra_every = 20;        // an identity, delete or account after every this many; 0: none
  int poison_every = 0;        // a poison frame after every this many posts; 0: none
  int authors = 20000;         // the DID pool
  uint64_t seed = 1;
};

// What the first n slots of a plan hold, for tests that check nothing was lost.
struct FirehoseTally {
  int64_t events = 0;  // frames sent: posts + identities + deletes + accounts + poison
  int64_t posts = 0;
  int64_t brand_posts = 0;      // posts that name a brand
  int64_t complaint_posts = 0;  // of those, the complaints
  int64_t identities = 0, deletes = 0, accounts = 0;
  int64_t poison = 0;
};

// "AcmeAir" and n - 1 more invented company names (two to four syllables), stable for n.
std::vector<std::string> FirehoseBrands(int n);

class JetstreamFirehose {
 public:
  // A position in the stream: slot, then 0 for its post or 1 for the extra after it.
  struct Position {
    int64_t slot = 0;
    int sub = 0;
    bool operator==(const Position&) const = default;
  };
  enum class EventKind { kPost, kIdentity, kDelete, kAccount, kPoison };

  // `start_us`: T(0), the time_us of the first post.
  JetstreamFirehose(FirehosePlan plan, int64_t start_us);

  const FirehosePlan& plan() const { return plan_; }
  Position end() const { return Position{plan_.posts, 0}; }

  int64_t TimeUs(Position p) const { return SlotTime(p.slot) + p.sub; }
  // The first position whose time_us >= cursor (Jetstream's cursor is inclusive); end() when
  // none.
  Position FromCursor(int64_t cursor_us) const;
  // The position after `p` (skipping slots without an extra); end() after the last.
  Position After(Position p) const;

  bool HasExtra(int64_t slot) const;
  EventKind Kind(Position p) const;
  bool MentionsBrand(int64_t slot) const;
  bool Complains(int64_t slot) const;  // implies MentionsBrand
  // The AT URI of slot's post, as JetstreamParser names it.
  std::string PostId(int64_t slot) const;

  // The event's frame, as Jetstream sends it.
  std::string Frame(Position p) const;

  // What slots [0, n) hold. O(n), cheap: it generates no text.
  FirehoseTally Tally(int64_t n) const;

 private:
  int64_t SlotTime(int64_t slot) const;
  uint64_t Mix(int64_t slot, uint64_t salt) const;
  std::string Did(int64_t author) const;
  std::string Handle(int64_t author) const;
  std::string BrandDid(std::string_view brand) const;
  int64_t Author(int64_t slot) const;
  std::string Rkey(int64_t slot) const;
  std::string PostFrame(int64_t slot) const;
  std::string ExtraFrame(int64_t slot) const;

  FirehosePlan plan_;
  int64_t start_us_;
  int64_t period_num_;  // slot length = period_num_ / period_den_ microseconds
  int64_t period_den_;
};

}  // namespace earshot
