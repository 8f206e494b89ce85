# Layers the build enforces (docs/layers.md).
#
# Headers are included by their path from the repository root ("daemon/state/state_store.h"),
# but no target sees the root. Each library publishes its own headers into a staging folder of
# its own under the build tree (symbolic links, so an edit needs no reconfigure), and a target's
# include path holds only the staging folders of itself and of what it links. A header of a
# library the target does not depend on is therefore not found, and the compiler stops with
#   fatal error: sinks/sink.h: No such file or directory
# Linking that library instead is refused at configure time when it sits on a higher layer, so
# an upward dependency can be made neither by an include nor by a link.

set(EARSHOT_LAYER_ROOT ${CMAKE_BINARY_DIR}/layers)
# Each room's layer, lowest first. A library may link libraries of lower layers only, so rooms
# of one layer (the sources, the sinks and the escalator, say) never depend on each other.
set(EARSHOT_LAYERS
  base=0
  model=1 config=1 cli=1
  net=2 bus=2 state=2 sentiment=2 nats=2
  complaint=3 cluster=3
  detectors=4
  sources=5 sinks=5 escalator=5
  app=6
  console=7
  commands=8)

# earshot_layer(<target> <layer> [DIRS dir ...] [HEADERS header ...])
# Places <target> on <layer> and publishes its headers: every header under each DIRS folder
# (whole folders, for rooms that hold one library) or the listed HEADERS (for folders shared by
# several libraries). Paths are relative to the repository root.
function(earshot_layer target layer)
  cmake_parse_arguments(ARG "" "" "DIRS;HEADERS" ${ARGN})
  set(rank "")
  foreach(entry IN LISTS EARSHOT_LAYERS)
    if(entry MATCHES "^${layer}=([0-9]+)$")
      set(rank ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(rank STREQUAL "")
    message(FATAL_ERROR "earshot_layer(${target}): unknown layer '${layer}'; "
                        "known, lowest first: ${EARSHOT_LAYERS}")
  endif()
  set_property(TARGET ${target} PROPERTY EARSHOT_LAYER ${layer})
  set_property(TARGET ${target} PROPERTY EARSHOT_LAYER_RANK ${rank})
  set_property(GLOBAL APPEND PROPERTY EARSHOT_LAYERED_TARGETS ${target})

  set(stage ${EARSHOT_LAYER_ROOT}/${target})
  foreach(path IN LISTS ARG_DIRS ARG_HEADERS)
    if(NOT EXISTS ${CMAKE_SOURCE_DIR}/${path})
      message(FATAL_ERROR "earshot_layer(${target}): ${path} does not exist")
    endif()
    get_filename_component(parent ${stage}/${path} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${path} ${stage}/${path} SYMBOLIC)
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${stage})
  else()
    target_include_directories(${target} PUBLIC ${stage})
  endif()
endfunction()

# Folders of the top of the tree (tests, benchmarks, fuzz targets) for their own helpers; they
# see libraries' headers only through what they link, as libraries do.
function(earshot_top_includes target)
  set(stage ${EARSHOT_LAYER_ROOT}/top)
  foreach(dir tests bench fuzz)
    if(NOT EXISTS ${stage}/${dir})
      file(MAKE_DIRECTORY ${stage})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${dir} ${stage}/${dir} SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} PRIVATE ${stage})
endfunction()

# Called once, after every library is defined: each earshot library's links must point to a
# lower layer. (CMake itself accepts cycles between static libraries, which is how a layered
# tree decays.)
function(earshot_check_layers)
  get_property(targets GLOBAL PROPERTY EARSHOT_LAYERED_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(rank ${target} EARSHOT_LAYER_RANK)
    get_target_property(layer ${target} EARSHOT_LAYER)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
    else()
      get_target_property(links ${target} LINK_LIBRARIES)
    endif()
    if(NOT links)
      continue()
    endif()
    foreach(dep IN LISTS links)
      if(NOT TARGET ${dep})
        continue()
      endif()
      get_target_property(dep_rank ${dep} EARSHOT_LAYER_RANK)
      if(dep_rank MATCHES "NOTFOUND$")
        continue()  # a system library
      endif()
      if(NOT dep_rank LESS rank)
        get_target_property(dep_layer ${dep} EARSHOT_LAYER)
        message(FATAL_ERROR
          "${target} (layer '${layer}') links ${dep} (layer '${dep_layer}'): a library may "
          "depend only on lower layers (${EARSHOT_LAYERS}). Move what both "
          "need down a layer, or pass it in through an interface; see docs/layers.md.")
      endif()
    endforeach()
  endforeach()
endfunction()
