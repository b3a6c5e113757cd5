# HTTPS edge of the webhook: TLS policy and certificate rotation, routes and
# status codes, metrics, file watching and config reload, shutdown, flags.
# Helpers (generated PKI, raw TLS client, server harness) live in testing/.
add_library(memsecret_webhook_testing STATIC
  ${CMAKE_CURRENT_LIST_DIR}/testing/test_pki.cc
  ${CMAKE_CURRENT_LIST_DIR}/testing/tls_test_client.cc
  ${CMAKE_CURRENT_LIST_DIR}/testing/server_harness.cc
)
target_include_directories(memsecret_webhook_testing PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
# cpp-httplib: the apiserver-like client of server_https_test (the server itself does not use it).
target_link_libraries(memsecret_webhook_testing PUBLIC memsecret_webhook_server GTest::gtest OpenSSL::SSL OpenSSL::Crypto PkgConfig::HTTPLIB)

memsecret_add_gtest(webhook_server_test
  ${CMAKE_CURRENT_LIST_DIR}/server_metrics_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_command_line_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_tls_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_rotation_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_https_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_reload_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_shutdown_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_http_test.cc
  LIBS memsecret_webhook_testing memsecret_webhook_server)

# The server's pure parts: request parser and response serialization.
memsecret_add_gtest(webhook_http_test
  ${CMAKE_CURRENT_LIST_DIR}/http_request_parser_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_response_test.cc
  LIBS memsecret_webhook_server)

# The real binary: start-up errors, exit codes, and SIGTERM exiting 0 promptly.
find_package(Python3 COMPONENTS Interpreter)
find_program(OPENSSL_CLI openssl)
if(Python3_Interpreter_FOUND AND OPENSSL_CLI)
  add_test(NAME webhook_binary_test
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/server_binary_test.py
                   $<TARGET_FILE:memsecret-webhook> ${OPENSSL_CLI})
  set_tests_properties(webhook_binary_test PROPERTIES TIMEOUT 60)
endif()
