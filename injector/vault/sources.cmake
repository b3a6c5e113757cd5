# memsecret_vault: the `vault:` SecretProvider (HashiCorp Vault KV v1/v2 with
# Kubernetes or token auth, renewal and re-login). Included by
# injector/CMakeLists.txt.
set(MEMSECRET_VAULT_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(memsecret_vault STATIC
  ${MEMSECRET_VAULT_DIR}/vault_config.cc
  ${MEMSECRET_VAULT_DIR}/kv_location.cc
  ${MEMSECRET_VAULT_DIR}/vault_errors.cc
  ${MEMSECRET_VAULT_DIR}/vault_http.cc
  ${MEMSECRET_VAULT_DIR}/token_lifecycle.cc
  ${MEMSECRET_VAULT_DIR}/vault_auth.cc
  ${MEMSECRET_VAULT_DIR}/token_manager.cc
  ${MEMSECRET_VAULT_DIR}/vault_provider.cc
)
target_include_directories(memsecret_vault PUBLIC ${PROJECT_SOURCE_DIR})
# memsecret_injector_core provides SecretProvider, Environment, ReadSecretFile
# and the wire helpers (Retry-After, remote text cleaning).
target_link_libraries(memsecret_vault PUBLIC memsecret_injector_core memsecret_common
  PRIVATE nlohmann_json::nlohmann_json spdlog::spdlog)
cmake_language(DEFER CALL target_link_libraries memsecret-injector PRIVATE memsecret_vault)
