# memsecret_oauth: OAuth token issuers (Genesys Cloud, NICE CXone, generic
# RFC 6749 client credentials), refresh timing, rotation-aware minting, token
# rendering and the scheduler job. Included by injector/CMakeLists.txt.
set(MEMSECRET_OAUTH_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(memsecret_oauth STATIC
  ${MEMSECRET_OAUTH_DIR}/form_encoding.cc
  ${MEMSECRET_OAUTH_DIR}/credentials.cc
  ${MEMSECRET_OAUTH_DIR}/token_response.cc
  ${MEMSECRET_OAUTH_DIR}/token_endpoint.cc
  ${MEMSECRET_OAUTH_DIR}/client_credentials.cc
  ${MEMSECRET_OAUTH_DIR}/genesys_cloud.cc
  ${MEMSECRET_OAUTH_DIR}/nice_cxone.cc
  ${MEMSECRET_OAUTH_DIR}/issuer_factory.cc
  ${MEMSECRET_OAUTH_DIR}/refresh_schedule.cc
  ${MEMSECRET_OAUTH_DIR}/token_minter.cc
  ${MEMSECRET_OAUTH_DIR}/token_renderer.cc
  ${MEMSECRET_OAUTH_DIR}/token_job.cc
)
target_include_directories(memsecret_oauth PUBLIC ${PROJECT_SOURCE_DIR})
# memsecret_injector_core provides SecretProvider, AtomicFileWriter, the
# scheduler's Job and BackoffDelay; it does not depend back on this library.
target_link_libraries(memsecret_oauth PUBLIC memsecret_injector_core memsecret_common
  PRIVATE nlohmann_json::nlohmann_json spdlog::spdlog OpenSSL::Crypto)
