# earshot_bench_pipeline: recorded-shape Mastodon pages through parse, normalize and detect.
if(TARGET earshot_detectors AND TARGET earshot_sources)
  add_executable(earshot_bench_pipeline ${CMAKE_CURRENT_LIST_DIR}/pipeline_bench.cc)
  target_link_libraries(earshot_bench_pipeline PRIVATE earshot_detectors earshot_sentiment
    earshot_sources earshot_config earshot_base)
  target_compile_definitions(earshot_bench_pipeline PRIVATE EARSHOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
