#include "daemon/cli/demo_scenario.h"

namespace earshot {

std::vector<ScriptedPost> DemoScenario() {
  // Mastodon `content` as the server renders it: paragraphs, hashtag links, mention spans, and
  // the invisible spans that shorten URLs. The detectors see the plain text.
  return {
      {300, "jane@travel.example", "Jane Okafor (travel writer)", 152000,
       "<p><span class=\"h-card\"><a href=\"https://mastodon.example/@AcmeAir\" "
       "class=\"u-url mention\">@<span>AcmeAir</span></a></span> lost my bag in Denver three "
       "days ago. Two hours on hold, nobody answers, no refund for the essentials I had to buy. "
       "<a href=\"https://mastodon.example/tags/AcmeAirSucks\" class=\"mention hashtag\" "
       "rel=\"tag\">#<span>AcmeAirSucks</span></a></p>",
       {"AcmeAirSucks"}, {"AcmeAir"}, -1,
       "a lost bag, 152k followers: pages high or critical"},
      {400, "gus", "Gus", 310,
       "<p>Flight cancelled without notice, no rebooking, and the gate agent was rude about it. "
       "<a href=\"https://mastodon.example/tags/AcmeAirSucks\" class=\"mention hashtag\" "
       "rel=\"tag\">#<span>AcmeAirSucks</span></a> "
       "<a href=\"https://mastodon.example/tags/AcmeAirFail\" class=\"mention hashtag\" "
       "rel=\"tag\">#<span>AcmeAirFail</span></a></p>",
       {"AcmeAirSucks", "AcmeAirFail"}, {}, -1, "a #AcmeAirSucks tirade: one incident"},
      {400, "gus", "Gus", 310,
       "<p>Still no refund. Still on hold. Worst airline ever. "
       "<a href=\"https://mastodon.example/tags/AcmeAirSucks\" class=\"mention hashtag\" "
       "rel=\"tag\">#<span>AcmeAirSucks</span></a></p>",
       {"AcmeAirSucks"}, {}, 1,
       "the tirade goes on, angrier: joins Gus's incident as one update (severity raised)"},
      // AcmeAir's care team answers in Gus's thread (a reply to his first post, so the same
      // thread) and names @AcmeAir, so earshot reads it among the brand's mentions. Worded as
      // care teams write, and so that no complaint rule matches it: it resolves, never pages.
      {400, kDemoStaffAccount, "AcmeAir Care", 41000,
       "<p><span class=\"h-card\"><a href=\"https://mastodon.example/@gus\" "
       "class=\"u-url mention\">@<span>gus</span></a></span> Sorted, Gus: a seat on tomorrow's "
       "first flight and a hotel tonight, both on us. Safe travels! ^Ana, "
       "<span class=\"h-card\"><a href=\"https://mastodon.example/@AcmeAir\" "
       "class=\"u-url mention\">@<span>AcmeAir</span></a></span> care</p>",
       {}, {"gus", "AcmeAir"}, 1,
       "staff answer in Gus's thread: resolves his incident, answered by @acmeair_care within "
       "seconds"},
      {400, "hal@social.example", "Hal", 2400,
       "<p>Shout out to the <span class=\"h-card\"><a href=\"https://mastodon.example/@AcmeAir\" "
       "class=\"u-url mention\">@<span>AcmeAir</span></a></span> crew on the Lisbon flight, "
       "best service I have had in years! &lt;3</p>",
       {}, {"AcmeAir"}, -1, "praise: never pages"},
      {400, "jane@travel.example", "Jane Okafor (travel writer)", 152000,
       "<p><span class=\"h-card\"><a href=\"https://mastodon.example/@AcmeAir\" "
       "class=\"u-url mention\">@<span>AcmeAir</span></a></span> found my bag and delivered it "
       "tonight. Thank you, sorted! "
       "<a href=\"https://mastodon.example/tags/ThanksAcmeAir\" class=\"mention hashtag\" "
       "rel=\"tag\">#<span>ThanksAcmeAir</span></a></p>",
       {"ThanksAcmeAir"}, {"AcmeAir"}, 0, "Jane's thank-you: resolves her incident"},
  };
}

}  // namespace earshot
