# earshot_bench_cluster: cost per escalation of cluster mode (the state log on JetStream, R1 and
# R3, then this node's SQLite copy) against the single node's SQLite commit; also an operator's
# ack and a sink's cursor. Starts its own nats-server processes (tests/fakes/nats_server.h).
if(TARGET earshot_cluster)
  add_executable(earshot_bench_cluster ${CMAKE_CURRENT_LIST_DIR}/cluster_bench.cc
    ${CMAKE_SOURCE_DIR}/tests/fakes/nats_server.cc ${CMAKE_SOURCE_DIR}/tests/fakes/child_process.cc)
  target_link_libraries(earshot_bench_cluster PRIVATE earshot_cluster earshot_state earshot_nats
    earshot_base simdjson::simdjson)
endif()
