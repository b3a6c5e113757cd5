# Independent JSON Patch verification: admit_tool runs the real admission code;
# python3-jsonpatch (and kubectl patch --local, when installed) apply the patch
# and the result is checked against the contract. Debian's python3 first: the
# test needs python3-jsonpatch and python3-yaml from Debian.
if(TARGET admit_tool)
  find_program(MEMSECRET_TEST_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  find_program(MEMSECRET_TEST_PYTHON3 NAMES python3)
  if(MEMSECRET_TEST_PYTHON3)
    add_test(NAME webhook_patch_independent
             COMMAND ${MEMSECRET_TEST_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/patch_independent_test.py -v
                     --admit-tool $<TARGET_FILE:admit_tool> --repo-root ${PROJECT_SOURCE_DIR})
    set_tests_properties(webhook_patch_independent PROPERTIES TIMEOUT 600 LABELS "webhook;independent")
  else()
    message(WARNING "python3 not found: webhook_patch_independent is not registered")
  endif()
endif()
