# earshot_bench_escalator: escalator throughput (batches of 40 detected posts, one SQLite commit
# each, synchronous=FULL on a real file) and memory with many open incidents.
if(TARGET earshot_escalator)
  add_executable(earshot_bench_escalator ${CMAKE_CURRENT_LIST_DIR}/escalator_bench.cc)
  target_link_libraries(earshot_bench_escalator PRIVATE earshot_escalator)
endif()
