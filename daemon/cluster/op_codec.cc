#include "daemon/cluster/op_codec.h"

#include <fmt/format.h>

#include <array>
#include <utility>
#include <variant>

#include "daemon/base/json_escape.h"
#include "daemon/cluster/message_reader.h"
#include "daemon/cluster/message_writer.h"

namespace earshot::cluster {
namespace {

// Each op's name, by its index in StateOp: one table both ways.
constexpr std::array<std::string_view, 9> kOpNames = {
    "ack",         "resolve", "add_silence",       "expire_silence", "sink_cursor",
    "dead_letter", "requeue", "clear_dead_letter", "prune_seen",
};
static_assert(kOpNames.size() == std::variant_size_v<StateOp>, "every op has a name");

template <class... Fns>
struct Overloaded : Fns... {
  using Fns::operator()...;
};
template <class... Fns>
Overloaded(Fns...) -> Overloaded<Fns...>;  // clang 14 does not deduce an aggregate's arguments

void WriteSilence(const SilenceRecord& s, std::string* out) {
  ObjectWriter w(out);
  w.String("id", s.id);
  w.String("matchers", s.matchers);
  w.String("comment", s.comment);
  w.String("created_by", s.created_by);
  w.Time("starts_at", s.starts_at);
  w.Time("ends_at", s.ends_at);
}

void ReadSilence(ObjectReader& r, SilenceRecord* s) {
  r.String("id", &s->id);
  r.String("matchers", &s->matchers);
  r.String("comment", &s->comment);
  r.String("created_by", &s->created_by);
  r.Time("starts_at", &s->starts_at);
  r.Time("ends_at", &s->ends_at);
}

void WriteLetter(const DeadLetter& d, std::string* out) {
  ObjectWriter w(out);
  w.String("sink", d.sink);
  w.Uint("seq", d.seq);
  w.String("reason", d.reason);
  w.Time("at", d.at);
  w.Bool("redeliver", d.redeliver);
}

void ReadLetter(ObjectReader& r, DeadLetter* d) {
  r.String("sink", &d->sink);
  r.Uint("seq", &d->seq);
  r.String("reason", &d->reason);
  r.Time("at", &d->at);
  r.Bool("redeliver", &d->redeliver);
}

// The op's own fields, after "v" and "op".
void WriteFields(const StateOp& op, ObjectWriter& w) {
  std::visit(Overloaded{
                 [&](const AckOp& o) {
                   w.String("incident_id", o.incident_id);
                   w.String("by", o.by);
                   w.Time("at", o.at);
                 },
                 [&](const ResolveOp& o) {
                   w.String("incident_id", o.incident_id);
                   w.String("by", o.by);
                   w.Time("at", o.at);
                 },
                 [&](const AddSilenceOp& o) {
                   w.Object("silence", [&](std::string* out) { WriteSilence(o.silence, out); });
                 },
                 [&](const ExpireSilenceOp& o) {
                   w.String("id", o.id);
                   w.Time("at", o.at);
                 },
                 [&](const SinkCursorOp& o) {
                   w.String("sink", o.sink);
                   w.Uint("seq", o.seq);
                 },
                 [&](const DeadLetterOp& o) {
                   w.Object("letter", [&](std::string* out) { WriteLetter(o.letter, out); });
                   w.Bool("update", o.update);
                 },
                 [&](const RequeueOp& o) {
                   w.String("sink", o.sink);
                   w.Uints("seqs", o.seqs);
                 },
                 [&](const ClearDeadLetterOp& o) {
                   w.String("sink", o.sink);
                   w.Uint("seq", o.seq);
                 },
                 [&](const PruneSeenOp& o) { w.Time("before", o.before); },
             },
             op);
}

// The fields of the op whose kind `*op` already holds.
void ReadFields(ObjectReader& r, StateOp* op) {
  std::visit(Overloaded{
                 [&](AckOp& o) {
                   r.String("incident_id", &o.incident_id);
                   r.String("by", &o.by);
                   r.Time("at", &o.at);
                 },
                 [&](ResolveOp& o) {
                   r.String("incident_id", &o.incident_id);
                   r.String("by", &o.by);
                   r.Time("at", &o.at);
                 },
                 [&](AddSilenceOp& o) {
                   r.Object("silence", [&](ObjectReader& s) { ReadSilence(s, &o.silence); });
                 },
                 [&](ExpireSilenceOp& o) {
                   r.String("id", &o.id);
                   r.Time("at", &o.at);
                 },
                 [&](SinkCursorOp& o) {
                   r.String("sink", &o.sink);
                   r.Uint("seq", &o.seq);
                 },
                 [&](DeadLetterOp& o) {
                   r.Object("letter", [&](ObjectReader& l) { ReadLetter(l, &o.letter); });
                   r.Bool("update", &o.update);
                 },
                 [&](RequeueOp& o) {
                   r.String("sink", &o.sink);
                   r.Uints("seqs", &o.seqs);
                 },
                 [&](ClearDeadLetterOp& o) {
                   r.String("sink", &o.sink);
                   r.Uint("seq", &o.seq);
                 },
                 [&](PruneSeenOp& o) { r.Time("before", &o.before); },
             },
             *op);
}

// A StateOp holding a default value of the alternative at `index`.
template <size_t... I>
StateOp OpAt(size_t index, std::index_sequence<I...>) {
  StateOp op;
  ((index == I ? (op.emplace<I>(), 0) : 0), ...);
  return op;
}

}  // namespace

std::string EncodeOp(const StateOp& op) {
  std::string out;
  {
    ObjectWriter w(&out);
    w.Int("v", kMessageFormat);
    w.String("op", kOpNames[op.index()]);
    WriteFields(op, w);
  }
  return out;
}

Result<StateOp> DecodeOp(std::string_view json) {
  return ReadMessage<StateOp>(json, "op", [](ObjectReader& r, StateOp* op) {
    std::string name;
    r.String("op", &name);
    if (!r.ok()) return;
    size_t index = 0;
    while (index < kOpNames.size() && kOpNames[index] != name) ++index;
    if (index == kOpNames.size()) {
      return r.Fail("op", fmt::format("unknown op {}", JsonQuoted(name.substr(0, 80))));
    }
    *op = OpAt(index, std::make_index_sequence<std::variant_size_v<StateOp>>());
    ReadFields(r, op);
  });
}

}  // namespace earshot::cluster
