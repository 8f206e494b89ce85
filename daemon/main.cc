// earshot: the command line. Every command is an entry of daemon/cli/command_table.cc; main only
// hands it the words, so each command runs in-process in tests with streams of their own.
#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli/command_table.h"

int main(int argc, char** argv) {
  return earshot::RunCommandLine(std::vector<std::string>(argv + 1, argv + argc), std::cin,
                                 std::cout, std::cerr);
}
