// The table behind every piece of the command line's text (cli_help.h). A change to a command's
// arguments belongs here too: the help, the man page and the completions all follow from it.
#include "daemon/cli/cli_help.h"

namespace earshot {
namespace {

// Options shared by several commands, written once.
const CliOption kConfigOption{
    "--config", "FILE",
    "The daemon's config, earshot.yaml (default: /etc/earshot/earshot.yaml). The state store it "
    "names is the one read and changed.",
    CliValue::kFile};

std::vector<CliOption> DetectorOptions() {
  return {
      {"--config", "FILE", "Take the rule files, brands and lexicon from this earshot.yaml.",
       CliValue::kFile},
      {"--rules", "FILE",
       "Without --config: a rule file to load; repeatable (default: the shipped packs in "
       "/usr/share/earshot/rules).",
       CliValue::kFile},
      {"--brand", "NAME", "Without --config: a brand the rules look for; repeatable."},
      {"--lexicon", "DIR",
       "Without --config: the sentiment lexicon directory (default: the rules directory's "
       "lexicon/).",
       CliValue::kDir},
  };
}

std::vector<CliCommand> BuildTable() {
  std::vector<CliCommand> t;

  t.push_back({
      .name = "run",
      .synopsis = {"run --config FILE"},
      .summary = "run the daemon",
      .description =
          "Polls the configured sources, flags complaints with the rules and the sentiment "
          "score, groups them into incidents and delivers escalations to the sinks, at least "
          "once and in order. It speaks systemd's notify protocol (Type=notify, with the "
          "watchdog when WatchdogSec= is set).\n\n"
          "SIGHUP reloads the rules and the silences file the config names; when they do not "
          "load, the error is logged and the previous ones keep running. SIGTERM or SIGINT "
          "stops it.",
      .options = {{"--config", "FILE",
                   "The config to run, such as /etc/earshot/earshot.yaml "
                   "(required).",
                   CliValue::kFile}},
      .exits = {{0, "stopped by SIGTERM or SIGINT"},
                {1, "a part failed to start or failed while running"},
                {2, "usage error"},
                {78, "the config or a rule file has errors; nothing started"}},
      .examples = {"earshot run --config /etc/earshot/earshot.yaml"},
  });

  t.push_back({
      .name = "demo",
      .synopsis = {"demo [--keep DIR] [--serve [--listen HOST:PORT]]"},
      .summary = "play a scripted scenario against built-in fake networks",
      .description =
          "Starts loopback fakes of the social networks, runs the daemon against them with the "
          "shipped rules and narrates each step: complaints that page, praise that does not, a "
          "silence, and a storm of posts grouped into one incident. It needs no config and no "
          "network access.",
      .options = {{"--keep", "DIR",
                   "Keep the state (the SQLite store) in DIR instead of a temporary directory "
                   "that is removed at the end.",
                   CliValue::kDir},
                  {"--serve", "",
                   "After the scenario, keep the daemon and the fakes running and serve the web "
                   "console (with the demo's incidents on it) until Ctrl-C; its address is "
                   "printed. The demo also pages a loopback PagerDuty then.",
                   CliValue::kNone},
                  {"--listen", "HOST:PORT",
                   "Where --serve listens (default 127.0.0.1 and a free port).",
                   CliValue::kNone}},
      .exits = {{0, "the scenario played to its end"},
                {1, "a fake network or the daemon could not start"},
                {2, "usage error"}},
      .examples = {"earshot demo", "earshot demo --keep /tmp/earshot-demo",
                   "earshot demo --serve --listen 127.0.0.1:9464"},
  });

  t.push_back({
      .name = "check",
      .synopsis = {"check --config FILE [--json]"},
      .summary = "validate the config and every rule file",
      .description =
          "Finds everything `earshot run` would refuse, without running: the config, every "
          "rule file, the lexicon and the silences file, each problem reported at once as "
          "FILE:LINE:COL. Silences that have ended are warnings, so the file gets cleaned. Run "
          "it in CI and before a reload.",
      .options = {{"--config", "FILE", "The config to check (required).", CliValue::kFile},
                  {"--json", "", "Print the diagnostics as one JSON document on stdout."}},
      .exits = {{0, "no errors (warnings allowed)"},
                {2, "usage error"},
                {78, "the config, a rule file, the lexicon or the silences file has errors"}},
      .examples = {"earshot check --config /etc/earshot/earshot.yaml",
                   "earshot check --config earshot.yaml --json | jq '.[] | .message'"},
  });

  {
    std::vector<CliOption> options = DetectorOptions();
    options.push_back(
        {"--output", "FILE", "Write the results to FILE instead of stdout.", CliValue::kFile});
    options.push_back({"--jobs", "N",
                       "Threads that read and detect (default: one per core); the escalator "
                       "takes their posts in input order, so the output is the same for any N."});
    options.push_back({"--escalate", "",
                       "Also run the escalator, on the posts' own timestamps (needs "
                       "--escalations)."});
    options.push_back({"--escalations", "FILE",
                       "Where --escalate writes the escalations, one JSON object per line.",
                       CliValue::kFile});
    options.push_back({"--report", "",
                       "With --escalate: after the replay, print the report of `earshot "
                       "report` over the replayed incidents, from the earliest post's time to "
                       "the latest's."});
    options.push_back(
        {"--svg", "FILE", "With --report: also write its daily chart to FILE.", CliValue::kFile});
    options.push_back({"--tz", "ZONE",
                       "With --report: its time zone (default: the zone of the config's "
                       "response.business_hours, else UTC)."});
    t.push_back({
        .name = "replay",
        .synopsis = {"replay [--config FILE | --rules FILE... --brand NAME... --lexicon DIR] "
                     "[--output FILE] [--jobs N] [--escalate --escalations FILE [--report "
                     "[--svg FILE] "
                     "[--tz ZONE]]] [CORPUS.jsonl... | -]"},
        .summary = "run a corpus through detection (and the escalator)",
        .description =
            "Reads posts, one JSON object per line (earshot's normalized post or a Mastodon "
            "Status), from each CORPUS file or from stdin (- or none), and prints for each the "
            "rules it matched, its categories, severity, complaint score and sentiment, in input "
            "order. No network or sink is touched. A line that cannot be read gives "
            "{\"line\":N,\"error\":...} and replay goes on; a summary goes to stderr. With "
            "--report the response report of the replayed incidents follows it there, so that "
            "stdout keeps one object per post.",
        .options = std::move(options),
        .exits = {{0, "replayed"},
                  {1, "a file could not be read or written"},
                  {2, "usage error"},
                  {78, "the config or the rules have errors"}},
        .examples = {"earshot replay --config /etc/earshot/earshot.yaml last-month.jsonl",
                     "earshot replay --rules my-rules.yaml --brand acmeair --escalate "
                     "--escalations esc.jsonl posts.jsonl",
                     "earshot replay --config earshot.yaml --escalate --escalations esc.jsonl "
                     "--report --svg week.svg --output /dev/null last-week.jsonl"},
        .operands = CliValue::kFile,
    });
  }

  {
    std::vector<CliOption> options = DetectorOptions();
    options.push_back({"--json", "",
                       "One JSON object per post per line, with every feature of the complaint "
                       "model."});
    options.push_back({"--all-rules", "",
                       "Show every rule's conditions, not only those of the candidate rules."});
    t.push_back({
        .name = "explain",
        .synopsis = {"explain [--config FILE | --rules FILE... --brand NAME... --lexicon DIR] "
                     "[--json] [--all-rules] [TEXT... | -]"},
        .summary = "show why a post scores and matches as it does",
        .description =
            "Each TEXT is one post; with - or no TEXT, posts come from stdin as JSON lines in "
            "replay's corpus format. For each post it prints the complaint score, every "
            "complaint cue found, each feature's contribution, the sentiment scores, and each "
            "candidate rule's conditions with the truth of every one. Put -- before a TEXT that "
            "starts with a dash.",
        .options = std::move(options),
        .exits = {{0, "explained"},
                  {2, "usage error"},
                  {78, "the config or the rules have errors"}},
        .examples = {"earshot explain 'lost my bag again @acmeair, 3 hours on hold'",
                     "earshot explain --json - < posts.jsonl"},
    });
  }

  t.push_back({
      .name = "test",
      .synopsis = {"test FILE...", "test sinks [--config FILE]"},
      .summary = "run rule unit tests (promtool style)",
      .description =
          "Each FILE names rule files and lists posts with the rules and categories they must "
          "(and must not) match; every failing case is printed with an explanation of the "
          "post. The shipped packs' tests are in the source tree's rules/tests/.",
      .exits = {{0, "every case passed"},
                {1, "a case failed"},
                {2, "usage error"},
                {78, "a test file or the rules it names could not be loaded"}},
      .examples = {"earshot test rules/tests/*.yaml"},
      .operands = CliValue::kFile,
  });

  t.push_back({
      .name = "test sinks",
      .synopsis = {"test sinks [--config FILE]"},
      .summary = "send one marked test escalation to every configured sink",
      .description =
          "Sends one clearly marked test escalation (summary \"[earshot test] ...\", severity "
          "info, label test=\"true\") to every sink of the config, one attempt each, and prints "
          "what each answered, so URLs, keys and passwords can be checked before an incident "
          "depends on them. Nothing is queued or retried.",
      .options = {kConfigOption},
      .exits = {{0, "every sink delivered"},
                {1, "a sink did not deliver, or none is configured"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot test sinks --config /etc/earshot/earshot.yaml"},
  });

  t.push_back({
      .name = "score",
      .synopsis = {"score [--lexicon DIR] [--overlay FILE]... [--json] [TEXT...]"},
      .summary = "print the VADER sentiment of each TEXT or line of stdin",
      .description =
          "Scores each TEXT with VADER (vaderSentiment 3.3.2 semantics) and prints the compound "
          "score (-1 to 1) and the pos, neu and neg proportions. With no TEXT it scores each "
          "line of stdin, streaming. Put -- before a TEXT that starts with a dash.",
      .options = {{"--json", "",
                   "One {\"compound\":...,\"pos\":...,\"neu\":...,\"neg\":...} "
                   "object per line."},
                  {"--lexicon", "DIR",
                   "The directory with vader_lexicon.txt and emoji_utf8_lexicon.txt (default: "
                   "the rules directory's lexicon/).",
                   CliValue::kDir},
                  {"--overlay", "FILE",
                   "A YAML or TSV overlay of words and phrases; repeatable, applied in order.",
                   CliValue::kFile}},
      .exits = {{0, "scored"},
                {1, "stdout could not be written"},
                {2, "usage error"},
                {78, "the lexicon or an overlay could not be loaded"}},
      .examples = {"earshot score 'the flight was great :)'", "earshot score --json < texts.txt"},
  });

  t.push_back({
      .name = "incidents",
      .synopsis = {"incidents [--config FILE] [--status open|acknowledged|resolved | --all] "
                   "[--limit N]"},
      .summary = "list the incidents, newest activity first",
      .description =
          "Shows one incident per line: its id, status, severity, number of posts, last post, "
          "response and summary. The response is the first staff reply in the incident's "
          "thread, \"answered by @acme_care after 12m00s\", or, while none came, how long the "
          "incident has waited since it opened, \"unanswered for 40m00s\". Without --status or "
          "--all it shows the open and acknowledged ones. It reads the state store while the "
          "daemon runs.",
      .options = {kConfigOption,
                  {"--status",
                   "STATUS",
                   "Only incidents with this status.",
                   CliValue::kChoice,
                   {"open", "acknowledged", "resolved"}},
                  {"--all", "", "Incidents of every status."},
                  {"--limit", "N", "Show at most N incidents (default: 50)."}},
      .exits = {{0, "listed"},
                {1, "the state store failed"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot incidents", "earshot incidents --status resolved --limit 10"},
  });

  t.push_back({
      .name = "report",
      .synopsis = {"report [--config FILE] [--since DURATION|TIME] [--until TIME] [--tz ZONE] "
                   "[--json] [--svg FILE]"},
      .summary = "how fast support answered the complaints of a week",
      .description =
          "Reads the complaint incidents opened in the window from the state store and prints, "
          "per brand and severity, how many there were, how many were answered, the median "
          "(p50), p90 and longest time to first response and the breaches of the response "
          "target; then the unanswered ones, oldest first, and each local day's complaints and "
          "median first response. An incident reopened counts from its first opening. "
          "Percentiles are nearest-rank: always a wait that happened. It reads the state store "
          "while the daemon runs.",
      .options = {kConfigOption,
                  {"--since", "DURATION|TIME",
                   "Where the window starts: a duration back from its end (7d, 36h) or an RFC "
                   "3339 time (2026-11-16T00:00:00+01:00) (default: 7d)."},
                  {"--until", "TIME", "Where the window ends, an RFC 3339 time (default: now)."},
                  {"--tz", "ZONE",
                   "The IANA time zone whose days the report counts and shows times in "
                   "(default: the zone of the config's response.business_hours, else UTC)."},
                  {"--json", "", "Print the report as one JSON object; durations in ms."},
                  {"--svg", "FILE",
                   "Also write the daily chart (complaints as bars, median first response as a "
                   "line) to FILE, an SVG image.",
                   CliValue::kFile}},
      .exits = {{0, "printed"},
                {1, "the state store failed, or the chart could not be written"},
                {2, "usage error: a window, time or zone that does not parse"},
                {78, "the config has errors"}},
      .examples = {"earshot report",
                   "earshot report --since 30d --tz Europe/Berlin --svg month.svg",
                   "earshot report --since 2026-11-16T00:00:00Z --until 2026-11-23T00:00:00Z "
                   "--json"},
  });

  t.push_back({
      .name = "ack",
      .synopsis = {"ack [--config FILE] INCIDENT_ID [--by NAME]"},
      .summary = "acknowledge an incident: no more repeat pages",
      .description =
          "Marks the incident acknowledged in the state store; the running daemon stops "
          "repeating its pages. A raise of its severity still pages. Find the id with `earshot "
          "incidents`.",
      .options = {kConfigOption, {"--by", "NAME", "Who acknowledges it (default: $USER)."}},
      .exits = {{0, "acknowledged"},
                {1, "no such incident, or the state store failed"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot ack inc-7f3a2c --by dana"},
  });

  t.push_back({
      .name = "resolve",
      .synopsis = {"resolve [--config FILE] INCIDENT_ID [--by NAME]"},
      .summary = "resolve an incident by hand: every sink hears it is over",
      .description =
          "Records in the state store that the incident is resolved, by whom; the running "
          "daemon (or a stopped one at its start) resolves it within a second and sends every "
          "sink a `resolve`, reason \"resolved by NAME\" (none for an incident never paged). "
          "A later complaint on the same thread opens it again. Resolving what is already "
          "resolved is not an error. Find the id with `earshot incidents`.",
      .options = {kConfigOption, {"--by", "NAME", "Who resolves it (default: $USER)."}},
      .exits = {{0, "resolved, or already resolved"},
                {1, "no such incident, or the state store failed"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot resolve inc-7f3a2c --by dana"},
  });

  t.push_back({
      .name = "silence",
      .synopsis = {"silence [--config FILE] add MATCHER... (--for DURATION | --until TIME) "
                   "[--comment TEXT] [--by NAME]",
                   "silence [--config FILE] list [--all]", "silence [--config FILE] expire ID"},
      .summary = "mute pages by label matchers",
      .description =
          "Silences live in the state store; the running daemon picks a change up within a "
          "second, without a reload. The silences file the config names (silences_file) is "
          "listed too; its entries are changed by editing it.",
      .options = {kConfigOption},
      .exits = {{0, "done"},
                {1, "the state store failed, or the silences file has errors"},
                {2, "usage error"},
                {78, "the config has errors"}},
  });

  t.push_back({
      .name = "silence add",
      .synopsis = {"silence [--config FILE] add MATCHER... (--for DURATION | --until TIME) "
                   "[--comment TEXT] [--by NAME]"},
      .summary = "mute pages matching labels for a while",
      .description =
          "Each MATCHER is an Alertmanager label matcher: LABEL=VALUE, LABEL!=VALUE, "
          "LABEL=~REGEX or LABEL!~REGEX (RE2, fully anchored). A page is muted while every "
          "matcher matches its labels (severity, rule, category, brand, ...). The silence needs "
          "an end.",
      .options = {{"--for", "DURATION", "How long it lasts: 90s, 30m, 2h or 1d."},
                  {"--until", "TIME", "When it ends, in ISO 8601 UTC (2026-11-22T18:00:00Z)."},
                  {"--comment", "TEXT", "Why, for whoever lists it later."},
                  {"--by", "NAME", "Who adds it (default: $USER)."}},
      .exits = {{0, "added; its id is printed"},
                {1, "the state store failed"},
                {2, "usage error, or a matcher that does not parse"},
                {78, "the config has errors"}},
      .examples = {"earshot silence add rule=hours-on-hold --for 2h --comment 'phone lines "
                   "down, known'",
                   "earshot silence add 'severity=~\"low|medium\"' --until 2026-11-22T18:00:00Z"},
  });

  t.push_back({
      .name = "silence list",
      .synopsis = {"silence [--config FILE] list [--all]"},
      .summary = "list the silences, the silences file's too",
      .description = "One silence per line: id, matchers, state and end, who added it and why. "
                     "The silences file's entries follow, marked with the file's name.",
      .options = {{"--all", "", "Include the silences that have ended."}},
      .exits = {{0, "listed"},
                {1, "the state store failed, or the silences file has errors"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot silence list"},
  });

  t.push_back({
      .name = "silence expire",
      .synopsis = {"silence [--config FILE] expire ID"},
      .summary = "end a silence now",
      .description = "ID is as `earshot silence list` shows it. Entries of the silences file "
                     "are refused: remove them from the file and reload.",
      .exits = {{0, "expired"},
                {1, "no such silence, or the state store failed"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot silence expire sil-1b2c3d"},
  });

  t.push_back({
      .name = "deadletter",
      .synopsis = {"deadletter [--config FILE] list [--sink NAME] [--json]",
                   "deadletter [--config FILE] retry SINK (SEQ... | --all)"},
      .summary = "show what sinks gave up on, and send it again",
      .description =
          "A sink that cannot deliver an escalation after its retries puts it in its dead "
          "letters. Works while the daemon runs.",
      .options = {kConfigOption},
      .exits = {{0, "done"},
                {1, "the state store failed, or a SEQ is not a dead letter of SINK"},
                {2, "usage error"},
                {78, "the config has errors"}},
  });

  t.push_back({
      .name = "deadletter list",
      .synopsis = {"deadletter [--config FILE] list [--sink NAME] [--json]"},
      .summary = "list what the sinks gave up on",
      .description = "One per line: sink, seq, when, and why it was given up; \"[retry "
                     "pending]\" marks one whose retry is asked for and not yet made.",
      .options = {{"--sink", "NAME", "Only this sink's dead letters."},
                  {"--json", "",
                   "One {\"sink\",\"seq\",\"at\",\"reason\",\"retry_pending\"} object per "
                   "line."}},
      .exits = {{0, "listed"},
                {1, "the state store failed"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot deadletter list --sink oncall"},
  });

  t.push_back({
      .name = "deadletter retry",
      .synopsis = {"deadletter [--config FILE] retry SINK (SEQ... | --all)"},
      .summary = "send dead letters again, with their seq",
      .description =
          "Flags them in the state store; the sink's runner in the running daemon (or the next "
          "one started) sends each again at its next outbox check with its original seq, so the "
          "receiver's idempotency key is the same as on the first try.",
      .options = {{"--all", "", "Every dead letter of SINK."}},
      .exits = {{0, "flagged for retry"},
                {1, "the state store failed, or a SEQ is not a dead letter of SINK"},
                {2, "usage error"},
                {78, "the config has errors"}},
      .examples = {"earshot deadletter retry oncall 41 42", "earshot deadletter retry chat --all"},
  });

  t.push_back({
      .name = "cluster status",
      .synopsis = {"cluster status [--config FILE] [--json]"},
      .summary = "the cluster's nodes, leases, lag and rules hashes",
      .description =
          "Reads, from the NATS servers of the config's cluster section, every node alive with "
          "its version, the hashes of its rules and config, how many state log messages it is "
          "behind and when it last beat; every lease (each source, each sink and the "
          "escalator's) with its holder and epoch; and whether the nodes' rules agree. It needs "
          "no running daemon on this host, only NATS. See docs/cluster.md.",
      .options = {kConfigOption, {"--json", "", "One JSON object instead of the tables."}},
      .exits = {{0, "shown, and the rules of every node agree"},
                {1, "NATS could not be read, or some node's rules differ"},
                {2, "usage error"},
                {78, "the config has errors, or no cluster section"}},
      .examples = {"earshot cluster status --config /etc/earshot/earshot.yaml"},
  });

  t.push_back({
      .name = "routes",
      .synopsis = {"routes test --config FILE [--at TIME] LABEL=VALUE..."},
      .summary = "try the routing tree",
      .description = "Routes send each escalation to receivers by its labels (routes: in "
                     "earshot.yaml).",
      .exits = {{0, "done"}, {1, "the config could not be loaded"}, {2, "usage error"}},
  });

  t.push_back({
      .name = "routes test",
      .synopsis = {"routes test --config FILE [--at TIME] LABEL=VALUE..."},
      .summary = "print the receivers a set of labels reaches",
      .description =
          "One receiver per line with its sinks, whether quiet hours hold it, the route that "
          "chose it and the route's timing. An escalation also carries the labels severity, "
          "rule, category, kind and incident_id.",
      .options = {{"--config", "FILE", "The config whose routes to test (required).",
                   CliValue::kFile},
                  {"--at", "TIME",
                   "Route as at this ISO 8601 UTC time, for quiet hours (default: now)."}},
      .exits = {{0, "printed"}, {1, "the config could not be loaded"}, {2, "usage error"}},
      .examples = {"earshot routes test --config /etc/earshot/earshot.yaml severity=high "
                   "brand=acmeair"},
  });

  t.push_back({
      .name = "tail",
      .synopsis = {"tail [ENDPOINT] [--json] [--color]"},
      .summary = "print the escalations published on the bus endpoint",
      .description =
          "Subscribes to the daemon's ZeroMQ bus endpoint (bus.endpoint in earshot.yaml; "
          "default ipc:///run/earshot/escalations.sock) and prints each escalation as it is "
          "published, until SIGINT or SIGTERM.",
      .options = {{"--endpoint", "ENDPOINT",
                   "The endpoint, ipc:// or tcp:// (or give it as "
                   "the first word)."},
                  {"--json", "", "Print each escalation's wire JSON on one line (for jq)."},
                  {"--color", "", "Colour the readable form."}},
      .exits = {{0, "stopped by SIGINT or SIGTERM"},
                {1, "receiving from the endpoint failed"},
                {2, "usage error, or an endpoint earshot does not publish on"}},
      .examples = {"earshot tail", "earshot tail tcp://127.0.0.1:7601 --json | jq ."},
  });

  t.push_back({
      .name = "version",
      .synopsis = {"version"},
      .summary = "print the version, the source revision and the build date",
      .description = "Also `earshot --version`.",
      .exits = {{0, "printed"}},
      .examples = {"earshot version"},
  });

  t.push_back({
      .name = "help",
      .synopsis = {"help [COMMAND [SUBCOMMAND] | --man]"},
      .summary = "print the help of earshot or of a command",
      .description = "`earshot COMMAND --help` prints the same. --man prints this manual page "
                     "in roff. None of them reads a config.",
      .options = {{"--man", "", "Print the earshot(1) manual page in roff."}},
      .exits = {{0, "printed"}, {2, "no such command"}},
      .examples = {"earshot help silence add", "earshot help --man | man -l -"},
      .operands = CliValue::kChoice,  // the commands
  });

  t.push_back({
      .name = "completion",
      .synopsis = {"completion bash|zsh"},
      .summary = "print a shell completion script",
      .description =
          "Completes commands, subcommands, options and the files options take. The packages "
          "install them to /usr/share/bash-completion/completions/earshot and "
          "/usr/share/zsh/vendor-completions/_earshot.",
      .exits = {{0, "printed"}, {2, "usage error, or another shell"}},
      .examples = {"source <(earshot completion bash)"},
      .operands = CliValue::kChoice,
      .operand_choices = {"bash", "zsh"},
  });

  return t;
}

}  // namespace

const std::vector<CliCommand>& CliCommands() {
  static const std::vector<CliCommand> table = BuildTable();
  return table;
}

}  // namespace earshot
