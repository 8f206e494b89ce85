# Run (cmake -P) by the earshot_cli_docs target: asks the built binary for its man page and
# completion scripts and writes them where install() picks them up.
# Inputs: EARSHOT (the binary), GZIP, MAN_PAGE (.1.gz), BASH_COMPLETION, ZSH_COMPLETION.
get_filename_component(man_dir ${MAN_PAGE} DIRECTORY)
get_filename_component(completion_dir ${BASH_COMPLETION} DIRECTORY)
file(MAKE_DIRECTORY ${man_dir} ${completion_dir})
string(REGEX REPLACE "\\.gz$" "" man_roff ${MAN_PAGE})

function(earshot_write output)
  execute_process(COMMAND ${EARSHOT} ${ARGN} OUTPUT_FILE ${output} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE ${output})
    message(FATAL_ERROR "earshot ${ARGN} failed (${rc})")
  endif()
endfunction()

earshot_write(${man_roff} help --man)
earshot_write(${BASH_COMPLETION} completion bash)
earshot_write(${ZSH_COMPLETION} completion zsh)
execute_process(COMMAND ${GZIP} -9n -c ${man_roff} OUTPUT_FILE ${MAN_PAGE} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${MAN_PAGE})
  message(FATAL_ERROR "gzip ${man_roff} failed (${rc})")
endif()
