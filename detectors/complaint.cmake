# earshot_complaint: the complaint cue lexicon and weights, and the scorer. No I/O on the
# scoring path; reads VADER's scores, so it sits on earshot_sentiment.
add_library(earshot_complaint STATIC
  ${CMAKE_CURRENT_LIST_DIR}/complaint_model.cc
  ${CMAKE_CURRENT_LIST_DIR}/complaint_scorer.cc
  ${CMAKE_CURRENT_LIST_DIR}/complaint_text.cc
)
target_link_libraries(earshot_complaint PUBLIC earshot_sentiment earshot_config fmt::fmt)
earshot_layer(earshot_complaint complaint HEADERS
  detectors/complaint_model.h detectors/complaint_scorer.h detectors/complaint_text.h)
