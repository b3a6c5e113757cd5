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
