# earshot_sentiment: the VADER lexicon (with overlays) and the scorer. No I/O on the scoring path.
add_library(earshot_sentiment STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lexicon.cc
  ${CMAKE_CURRENT_LIST_DIR}/sentiment.cc
  ${CMAKE_CURRENT_LIST_DIR}/sentiment_but.cc
  ${CMAKE_CURRENT_LIST_DIR}/sentiment_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/sentiment_word_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/utf8.cc
  ${CMAKE_CURRENT_LIST_DIR}/utf8_tables.cc
)
target_link_libraries(earshot_sentiment PUBLIC earshot_base fmt::fmt PRIVATE yaml-cpp)
earshot_layer(earshot_sentiment sentiment HEADERS
  detectors/lexicon.h detectors/sentiment.h detectors/sentiment_but.h detectors/sentiment_text.h
  detectors/sentiment_word_table.h detectors/utf8.h)
