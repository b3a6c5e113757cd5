# MEMSECRET_STATIC_INJECTOR: link memsecret-injector statically against
# libstdc++, libgcc, OpenSSL (libssl.a/libcrypto.a from libssl-dev), spdlog
# and fmt (compiled from their headers: spdlog_fmt_static.cc), keeping only
# glibc dynamic (a static glibc breaks getaddrinfo/NSS). Why: the injector
# starts once per pod and then lives as long as the pod. Dynamically linked it
# loaded 14 shared objects (~5 ms of relocation and OpenSSL start-up per
# exec, twice per pod start with the postStart hook) and kept ~9 MiB of their
# pages resident; static, --gc-sections keeps only the code it uses.
# Sanitizer and fuzz builds link dynamically (the sanitizer runtimes expect
# the shared libstdc++), so the option is ignored there. Only the binary
# changes: tests link the same libraries dynamically, as before.
# Included at the end of injector/CMakeLists.txt.
set(_memsecret_static_default OFF)
find_library(MEMSECRET_LIBSSL_ARCHIVE NAMES libssl.a)
find_library(MEMSECRET_LIBCRYPTO_ARCHIVE NAMES libcrypto.a)
find_library(MEMSECRET_LIBYAMLCPP_ARCHIVE NAMES libyaml-cpp.a)  # the pipeline commands' -f FILE
if(MEMSECRET_LIBSSL_ARCHIVE AND MEMSECRET_LIBCRYPTO_ARCHIVE)
  set(_memsecret_static_default ON)
endif()
option(MEMSECRET_STATIC_INJECTOR
  "Link memsecret-injector statically (all but glibc); default ON when libssl.a/libcrypto.a exist"
  ${_memsecret_static_default})

if(MEMSECRET_STATIC_INJECTOR AND (MEMSECRET_SANITIZE OR MEMSECRET_FUZZ))
  message(STATUS "memsecret-injector: linked dynamically (sanitizer/fuzz build)")
elseif(MEMSECRET_STATIC_INJECTOR)
  if(NOT MEMSECRET_LIBSSL_ARCHIVE OR NOT MEMSECRET_LIBCRYPTO_ARCHIVE)
    message(FATAL_ERROR "MEMSECRET_STATIC_INJECTOR needs libssl.a and libcrypto.a (libssl-dev)")
  endif()
  if(NOT MEMSECRET_LIBYAMLCPP_ARCHIVE)
    message(FATAL_ERROR "MEMSECRET_STATIC_INJECTOR needs libyaml-cpp.a (libyaml-cpp-dev)")
  endif()
  message(STATUS "memsecret-injector: linked statically (all but glibc)")
  add_library(memsecret_spdlog_fmt_static STATIC ${CMAKE_CURRENT_LIST_DIR}/spdlog_fmt_static.cc)
  # The definitions spdlog::spdlog compiles with, minus the shared-library
  # ones (SPDLOG_SHARED_LIB, FMT_SHARED only set symbol visibility).
  target_compile_definitions(memsecret_spdlog_fmt_static PRIVATE SPDLOG_COMPILED_LIB
    SPDLOG_FMT_EXTERNAL)
  # Everything the injector's libraries bring in as shared libraries (libspdlog,
  # libfmt, libssl, libcrypto) is already defined by the archives listed here,
  # so --as-needed drops those entries — provided the archives come after every
  # library that uses them. The linker scans archives once, in order, so the
  # product's libraries are listed first, lowest layer last, then the archives.
  target_link_libraries(memsecret-injector PRIVATE memsecret_pipeline memsecret_injector_commands
    memsecret_oauth memsecret_runtime memsecret_providers memsecret_base memsecret_common
    memsecret_spdlog_fmt_static ${MEMSECRET_LIBYAMLCPP_ARCHIVE} ${MEMSECRET_LIBSSL_ARCHIVE}
    ${MEMSECRET_LIBCRYPTO_ARCHIVE}
    Threads::Threads ${CMAKE_DL_LIBS})
  set_property(GLOBAL PROPERTY MEMSECRET_INJECTOR_IS_STATIC ON)
  target_link_options(memsecret-injector PRIVATE -static-libstdc++ -static-libgcc
    LINKER:--as-needed LINKER:--gc-sections)
endif()
