# One version number for the binaries, the images, the chart and the manifests:
# project(memsecret VERSION ...) in the top-level CMakeLists.txt. Each program
# gets a generated source that answers `--version` (cmake/version_flag.cc.in).
# Included from the top-level CMakeLists.txt after the programs are defined.
function(memsecret_add_version_flag target)
  set(MEMSECRET_PROGRAM ${target})
  set(out ${PROJECT_BINARY_DIR}/generated/${target}_version_flag.cc)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/version_flag.cc.in ${out} @ONLY)
  target_sources(${target} PRIVATE ${out})
endfunction()

memsecret_add_version_flag(memsecret-webhook)
memsecret_add_version_flag(memsecret-injector)
