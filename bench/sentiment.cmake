# earshot_bench_sentiment: VADER scoring speed on distinct short texts (not run by ctest).
if(TARGET earshot_sentiment)
  add_executable(earshot_bench_sentiment ${CMAKE_CURRENT_LIST_DIR}/sentiment_bench.cc)
  target_link_libraries(earshot_bench_sentiment PRIVATE earshot_commands)
  target_compile_definitions(earshot_bench_sentiment PRIVATE
    EARSHOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
