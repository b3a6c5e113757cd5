# Azure Key Vault provider tests (included from tests/injector/CMakeLists.txt).
set(AZURE_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
memsecret_add_gtest(azure_unit_test ${AZURE_TEST_DIR}/azure_unit_test.cc LIBS memsecret_azure)
# Against tests/fakes/azure_fake.py (python3, standard library only).
memsecret_add_gtest(azure_key_vault_test ${AZURE_TEST_DIR}/key_vault_provider_test.cc
  LIBS memsecret_azure)
target_compile_definitions(azure_key_vault_test PRIVATE
  MEMSECRET_FAKES_DIR="${PROJECT_SOURCE_DIR}/tests/fakes")
