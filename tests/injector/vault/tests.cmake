# Vault provider tests (included from tests/injector/CMakeLists.txt).
set(VAULT_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
memsecret_add_gtest(vault_unit_test ${VAULT_TEST_DIR}/vault_unit_test.cc LIBS memsecret_vault)
# Against tests/fakes/vault_fake.py (python3, standard library only).
memsecret_add_gtest(vault_provider_test
  ${VAULT_TEST_DIR}/vault_provider_test.cc
  ${VAULT_TEST_DIR}/vault_token_test.cc
  ${VAULT_TEST_DIR}/vault_tls_test.cc
  LIBS memsecret_vault)
target_compile_definitions(vault_provider_test PRIVATE
  MEMSECRET_FAKES_DIR="${PROJECT_SOURCE_DIR}/tests/fakes")
