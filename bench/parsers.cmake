# earshot_bench_parsers: each network's page parser on pages recorded from its fake API.
if(TARGET earshot_sources)
  add_executable(earshot_bench_parsers ${CMAKE_CURRENT_LIST_DIR}/parsers_bench.cc)
  target_link_libraries(earshot_bench_parsers PRIVATE earshot_sources earshot_net earshot_base)
  target_compile_definitions(earshot_bench_parsers PRIVATE EARSHOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
