// earshot: the command line. Each subcommand lives in daemon/app/*_command.cc.
#include <fmt/format.h>

int main() {
  fmt::print("earshot\n");
  return 0;
}
