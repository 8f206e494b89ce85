# earshot_bench_bus: ZeroMQ inproc PUB/SUB throughput and latency with 1 KB escalation JSON, and
# per-sink delivery figures (file with fsync, webhook to a loopback receiver, runner end to end).
if(TARGET earshot_sinks)
  add_executable(earshot_bench_bus ${CMAKE_CURRENT_LIST_DIR}/bus_bench.cc)
  target_link_libraries(earshot_bench_bus PRIVATE earshot_sinks earshot_net)
endif()
