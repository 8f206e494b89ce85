# earshot_detectors: rule files -> one RE2::Set-backed RuleSet, and the Detector over it.
add_library(earshot_detectors STATIC
  ${CMAKE_CURRENT_LIST_DIR}/detector.cc
  ${CMAKE_CURRENT_LIST_DIR}/explain_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/matcher.cc
  ${CMAKE_CURRENT_LIST_DIR}/regex_lint.cc
  ${CMAKE_CURRENT_LIST_DIR}/rule_compiler.cc
  ${CMAKE_CURRENT_LIST_DIR}/rule_loader.cc
  ${CMAKE_CURRENT_LIST_DIR}/rule_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/rule_set.cc
  ${CMAKE_CURRENT_LIST_DIR}/text_tags.cc
)
target_link_libraries(earshot_detectors PUBLIC earshot_model earshot_config earshot_sentiment
                      earshot_complaint PkgConfig::RE2)
earshot_layer(earshot_detectors detectors HEADERS
  detectors/detector.h detectors/explain_format.h detectors/matcher.h
  detectors/regex_lint.h detectors/rule.h detectors/rule_compiler.h detectors/rule_definitions.h
  detectors/rule_loader.h detectors/rule_parser.h detectors/rule_set.h detectors/text_tags.h)
