#include "daemon/sources/x/x_stream_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/json_escape.h"
#include "daemon/sources/json_fields.h"

namespace earshot::x {
namespace {

namespace dom = simdjson::dom;
using json_fields::FieldError;
using json_fields::Int;
using json_fields::Str;

std::string Q(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

// A rule object; false when id or value is missing or not a string.
bool ReadRule(dom::element e, StreamRule* rule) {
  dom::object o;
  if (e.get(o)) return false;
  FieldError err;
  if (!Str(o, "id", &rule->id, "", &err) || !Str(o, "value", &rule->value, "", &err) ||
      !Str(o, "tag", &rule->tag, "", &err)) {
    return false;
  }
  return !rule->id.empty() && !rule->value.empty();
}

}  // namespace

Status ParseRuleList(dom::parser& parser, std::string_view json, std::vector<StreamRule>* out) {
  out->clear();
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser, json, &obj); !s.ok()) return s;
  dom::element data;
  if (obj["data"].get(data) || data.is_null()) {
    dom::object meta;
    if (obj["meta"].get(meta)) return Status::DataLoss("neither 'data' nor 'meta' in the rules");
    return Status::Ok();
  }
  dom::array rules;
  if (data.get(rules)) return Status::DataLoss("'data' is not an array");
  for (dom::element e : rules) {
    StreamRule rule;
    if (!ReadRule(e, &rule)) return Status::DataLoss("a rule without a string 'id' and 'value'");
    out->push_back(std::move(rule));
  }
  return Status::Ok();
}

Status ParseRuleChange(dom::parser& parser, std::string_view json, RuleChange* out) {
  *out = RuleChange{};
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser, json, &obj); !s.ok()) return s;
  dom::array errors;
  const bool has_errors = obj["errors"].get(errors) == simdjson::SUCCESS;
  if (has_errors) {
    for (dom::element e : errors) {
      dom::object o;
      if (e.get(o)) continue;
      FieldError ignored;
      RuleError error;
      Str(o, "title", &error.title, "", &ignored);
      Str(o, "value", &error.value, "", &ignored);
      Str(o, "id", &error.id, "", &ignored);
      Str(o, "detail", &error.detail, "", &ignored);
      if (error.detail.empty()) Str(o, "message", &error.detail, "", &ignored);
      dom::array details;
      if (error.detail.empty() && o["details"].get(details) == simdjson::SUCCESS) {
        for (dom::element d : details) {
          std::string_view text;
          if (d.get(text) == simdjson::SUCCESS) {
            error.detail += (error.detail.empty() ? "" : "; ") + std::string(text);
          }
        }
      }
      out->errors.push_back(std::move(error));
    }
  }
  dom::object meta;
  if (obj["meta"].get(meta)) {
    if (!has_errors) return Status::DataLoss("neither 'meta' nor 'errors' in the answer");
    return Status::Ok();
  }
  dom::object summary;
  if (meta["summary"].get(summary) == simdjson::SUCCESS) {
    FieldError ignored;
    Int(summary, "created", &out->created_count, "", &ignored);
    Int(summary, "not_created", &out->not_created, "", &ignored);
    Int(summary, "deleted", &out->deleted, "", &ignored);
    Int(summary, "not_deleted", &out->not_deleted, "", &ignored);
    Int(summary, "invalid", &out->invalid, "", &ignored);
  }
  dom::array data;
  if (obj["data"].get(data) == simdjson::SUCCESS) {
    for (dom::element e : data) {
      StreamRule rule;
      if (ReadRule(e, &rule)) out->created.push_back(std::move(rule));
    }
  }
  return Status::Ok();
}

RulePlan PlanRules(const std::vector<StreamRule>& rules, std::string_view value,
                   std::string_view tag) {
  RulePlan plan;
  for (const StreamRule& r : rules) {
    if (r.value == value) {
      plan.match_ids.push_back(r.id);
      if (r.tag != tag && plan.foreign_tag.empty())
        plan.foreign_tag = r.tag.empty() ? "(none)" : r.tag;
    } else if (r.tag == tag) {
      plan.delete_ids.push_back(r.id);
    }
  }
  // Ours among the matches: no foreign tag to report.
  if (std::any_of(rules.begin(), rules.end(),
                  [&](const StreamRule& r) { return r.value == value && r.tag == tag; })) {
    plan.foreign_tag.clear();
  }
  plan.add = plan.match_ids.empty();
  return plan;
}

std::string AddRuleBody(std::string_view value, std::string_view tag) {
  return fmt::format("{{\"add\":[{{\"value\":{},\"tag\":{}}}]}}", Q(value), Q(tag));
}

std::string DeleteRulesBody(const std::vector<std::string>& ids) {
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ",") + Q(id);
  return "{\"delete\":{\"ids\":[" + list + "]}}";
}

}  // namespace earshot::x
