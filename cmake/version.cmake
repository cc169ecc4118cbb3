# Writes hoist_version.h (HOIST_VERSION, HOIST_COMMIT) when it changed: run at every build, so
# `hoist --version` names the commit it was built from without reconfiguring.
#   cmake -DVERSION=… -DSOURCE_DIR=… -DOUTPUT=… [-DCOMMIT=…] -P version.cmake
if(NOT COMMIT)
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE failed ERROR_QUIET)
  if(failed OR NOT COMMIT)
    set(COMMIT "unknown")
  else()
    # Uncommitted changes to tracked files make another program than the commit names.
    execute_process(COMMAND git -C "${SOURCE_DIR}" diff --quiet HEAD --
                    RESULT_VARIABLE dirty ERROR_QUIET)
    if(dirty)
      set(COMMIT "${COMMIT}-dirty")
    endif()
  endif()
endif()
set(text "#pragma once\n#define HOIST_VERSION \"${VERSION}\"\n#define HOIST_COMMIT \"${COMMIT}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
