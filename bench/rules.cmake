# rules_bench: matching cost of analyst-style rule sets (10 to 5,000 rules) over 150-byte posts.
add_executable(rules_bench ${CMAKE_CURRENT_LIST_DIR}/rules_bench.cc)
target_link_libraries(rules_bench PRIVATE earshot_detectors)
target_compile_definitions(rules_bench PRIVATE EARSHOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
