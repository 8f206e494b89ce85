# earshot_bench_complaint: the complaint scorer's cost per post beside VADER's (not run by ctest).
if(TARGET earshot_complaint)
  add_executable(earshot_bench_complaint ${CMAKE_CURRENT_LIST_DIR}/complaint_bench.cc)
  target_link_libraries(earshot_bench_complaint PRIVATE earshot_complaint earshot_sentiment
                        earshot_base simdjson::simdjson)
  target_compile_definitions(earshot_bench_complaint PRIVATE
    EARSHOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
