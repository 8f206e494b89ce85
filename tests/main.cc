// Catch2's main for every earshot test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
