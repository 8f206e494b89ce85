#include "daemon/config/option_spec.h"

namespace earshot {

std::string_view OptionKindName(OptionKind kind) {
  switch (kind) {
    case OptionKind::kString:
      return "string";
    case OptionKind::kInt:
      return "integer";
    case OptionKind::kBool:
      return "boolean";
    case OptionKind::kDuration:
      return "duration";
    case OptionKind::kList:
      return "list";
    case OptionKind::kMap:
      return "mapping";
    case OptionKind::kChoice:
      return "choice";
  }
  return "string";
}

const ConfigOption* FindOption(const OptionSpec& spec, std::string_view name) {
  for (const ConfigOption& o : spec) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

}  // namespace earshot
