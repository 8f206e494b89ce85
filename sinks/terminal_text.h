// Text from strangers made safe to print on an operator's terminal.
//
// A post, a display name or a URL is written by anyone on the network. Printed raw, its control
// bytes and escape sequences drive the terminal (clear the screen, retitle the window, hide text,
// hyperlink elsewhere, ring the bell), bidi override/isolate characters make text read in an
// order other than it is stored, and invisible characters hide inside a word ("re<ZWSP>fund"
// is not "refund" to a search, yet looks the same). TerminalSafe shows all of these as visible
// escapes instead, so the operator sees what was sent and the terminal does nothing:
//   C0 controls and DEL      -> \x1b, \x07, \x00, \x7f
//   C1 controls (U+0080-9F)  -> U+009B
//   bidi U+202A-202E, U+2066-2069, and the marks U+200E, U+200F, U+061C -> U+202E
//   invisible U+200B (zero width space), U+2060 (word joiner), U+FEFF (BOM),
//   and the line/paragraph separators U+2028, U+2029 -> U+200B
//   an invalid UTF-8 byte    -> \xff (a lone 0x9b is CSI to an 8-bit terminal)
// Everything else, including all printable Unicode, is kept as is: U+200C and U+200D (ZWNJ,
// ZWJ) stay, as Persian, Indic scripts and emoji sequences need them. Stateless; any thread.
#pragma once

#include <string>
#include <string_view>

namespace earshot {

// `s` with every control, escape and bidi control shown escaped as above.
std::string TerminalSafe(std::string_view s);

// Appends TerminalSafe(s) to out.
void AppendTerminalSafe(std::string_view s, std::string* out);

}  // namespace earshot
