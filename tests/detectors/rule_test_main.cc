// Runs rule unit test files exactly as `earshot test FILE...` does, for ctest.
#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli/rule_test_command.h"

int main(int argc, char** argv) {
  return earshot::RunRuleTestCommand(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                     std::cerr);
}
