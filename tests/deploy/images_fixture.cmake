# The release images as a ctest fixture (oci_images): scripts/images.sh builds
# both OCI archives from this build's programs into <build>/images. Included by
# tests/deploy and tests/e2e (whichever areas are configured), defined once.
set(MEMSECRET_IMAGES_DIR ${CMAKE_BINARY_DIR}/images)
include_guard(GLOBAL)
add_test(NAME images_build
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/images.sh
                 --webhook $<TARGET_FILE:memsecret-webhook>
                 --injector $<TARGET_FILE:memsecret-injector>
                 --out ${MEMSECRET_IMAGES_DIR})
set_tests_properties(images_build PROPERTIES
  FIXTURES_SETUP oci_images TIMEOUT 300 LABELS "deploy;images")
