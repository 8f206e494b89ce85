# earshot_bench_firehose: Jetstream frames through the parser, the detector and a loopback
# JetstreamSource (not run by ctest). earshot_fake_jetstream: the generated fake on its own.
if(TARGET earshot_detectors AND TARGET earshot_sources)
  add_executable(earshot_bench_firehose ${CMAKE_CURRENT_LIST_DIR}/firehose_bench.cc)
  target_link_libraries(earshot_bench_firehose PRIVATE earshot_detectors earshot_sentiment
    earshot_sources earshot_net earshot_config earshot_base)
  target_compile_definitions(earshot_bench_firehose PRIVATE EARSHOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_executable(earshot_fake_jetstream ${CMAKE_CURRENT_LIST_DIR}/fake_jetstream_main.cc)
  target_link_libraries(earshot_fake_jetstream PRIVATE earshot_sources earshot_base)
endif()
