# OAuth token tests (included from tests/injector/CMakeLists.txt).
set(OAUTH_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
memsecret_add_gtest(oauth_unit_test
  ${OAUTH_TEST_DIR}/form_encoding_test.cc
  ${OAUTH_TEST_DIR}/credentials_test.cc
  ${OAUTH_TEST_DIR}/token_response_test.cc
  ${OAUTH_TEST_DIR}/refresh_schedule_test.cc
  ${OAUTH_TEST_DIR}/issuers_test.cc
  ${OAUTH_TEST_DIR}/token_renderer_test.cc
  ${OAUTH_TEST_DIR}/token_minter_test.cc
  ${OAUTH_TEST_DIR}/token_job_test.cc
  LIBS memsecret_oauth)

# Integration against npm's oidc-provider (tests/oauth). ctest first runs
# tests/oauth/setup.sh (npm ci into tests/oauth/node_modules) as a fixture.
find_program(MEMSECRET_NODE node)
if(MEMSECRET_NODE)
  set(OAUTH_IT_DIR ${PROJECT_SOURCE_DIR}/tests/oauth)
  add_test(NAME oauth_oidc_setup COMMAND sh ${OAUTH_IT_DIR}/setup.sh)
  set_tests_properties(oauth_oidc_setup PROPERTIES FIXTURES_SETUP oauth_oidc TIMEOUT 600)
  add_executable(oauth_oidc_integration_test ${OAUTH_IT_DIR}/oidc_integration_test.cc)
  target_include_directories(oauth_oidc_integration_test PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(oauth_oidc_integration_test PRIVATE MEMSECRET_OAUTH_TEST_DIR="${OAUTH_IT_DIR}")
  target_link_libraries(oauth_oidc_integration_test PRIVATE memsecret_oauth GTest::gtest GTest::gtest_main)
  gtest_discover_tests(oauth_oidc_integration_test DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT 300 FIXTURES_REQUIRED oauth_oidc LABELS integration)
else()
  message(STATUS "node not found: OAuth integration tests (tests/oauth) are not built")
endif()

# End-to-end: the real memsecret-injector binary (credentials from the AWS
# fake, tokens from oidc-provider).
if(MEMSECRET_NODE)
  add_test(NAME oauth_e2e_injector_tokens
    COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/oauth/e2e_token_test.py $<TARGET_FILE:memsecret-injector>
            ${PROJECT_SOURCE_DIR}/tests/fakes/fake_aws.py)
  set_tests_properties(oauth_e2e_injector_tokens PROPERTIES FIXTURES_REQUIRED oauth_oidc TIMEOUT 180
    LABELS integration)
endif()
