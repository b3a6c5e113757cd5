# Pure webhook core: table-driven tests of annotations, policy, planner, patch, codec, render.
memsecret_add_gtest(webhook_core_test
  ${CMAKE_CURRENT_LIST_DIR}/config_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/annotations_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/mutator_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/admission_review_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/reference_docs_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_reader_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/pod_facts_test.cc
  LIBS memsecret_webhook_core)
target_compile_definitions(webhook_core_test PRIVATE MEMSECRET_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# Test tool for the independent JSON Patch checks (python3-jsonpatch, kubectl).
add_executable(admit_tool ${CMAKE_CURRENT_LIST_DIR}/admit_tool.cc)
target_include_directories(admit_tool PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(admit_tool PRIVATE memsecret_webhook_core)
