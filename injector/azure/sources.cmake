# memsecret_azure: the `azure:` SecretProvider (Key Vault secrets with Entra
# workload identity). Included by injector/CMakeLists.txt.
set(MEMSECRET_AZURE_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(memsecret_azure STATIC
  ${MEMSECRET_AZURE_DIR}/azure_config.cc
  ${MEMSECRET_AZURE_DIR}/workload_identity.cc
  ${MEMSECRET_AZURE_DIR}/key_vault_provider.cc
)
target_include_directories(memsecret_azure PUBLIC ${PROJECT_SOURCE_DIR})
# memsecret_injector_core provides SecretProvider, Environment, ReadSecretFile
# and the wire helpers (form encoding, Retry-After, remote text cleaning).
target_link_libraries(memsecret_azure PUBLIC memsecret_injector_core memsecret_common
  PRIVATE nlohmann_json::nlohmann_json spdlog::spdlog)
cmake_language(DEFER CALL target_link_libraries memsecret-injector PRIVATE memsecret_azure)
