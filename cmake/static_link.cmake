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
  # --gc-sections drops unused sections, not unused functions: compiled
  # without -ffunction-sections a library object is one .text, kept whole as
  # soon as one function in it is used. So every product library in the
  # binary (found by walking its link closure, so a new one is covered), the
  # spdlog/fmt TU and main.cc put each function and object in its own
  # section. Biggest single gain: fmt's float formatter (format_dragon, ~10 KiB)
  # is cloned privately into every TU that logs through spdlog (15 of them);
  # only the copy the linker keeps for fmt's shared code is reachable.
  set(_memsecret_static_targets memsecret-injector memsecret_spdlog_fmt_static)
  set(_memsecret_walk memsecret-injector)
  while(_memsecret_walk)
    list(POP_FRONT _memsecret_walk _memsecret_target)
    get_target_property(_memsecret_links ${_memsecret_target} LINK_LIBRARIES)
    foreach(_memsecret_lib IN LISTS _memsecret_links)
      if(TARGET ${_memsecret_lib} AND _memsecret_lib MATCHES "^memsecret_"
         AND NOT _memsecret_lib IN_LIST _memsecret_static_targets)
        get_target_property(_memsecret_type ${_memsecret_lib} TYPE)
        if(_memsecret_type STREQUAL "STATIC_LIBRARY")
          list(APPEND _memsecret_static_targets ${_memsecret_lib})
          list(APPEND _memsecret_walk ${_memsecret_lib})
        endif()
      endif()
    endforeach()
  endwhile()
  foreach(_memsecret_target IN LISTS _memsecret_static_targets)
    target_compile_options(${_memsecret_target} PRIVATE -ffunction-sections -fdata-sections)
  endforeach()
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
  # The binary is position-independent, so everything holding an address
  # (vtables, OpenSSL's method tables, .init_array, the GOT) needs a relative
  # relocation at start-up: ~22,000 of them, 24 bytes each in .rela.dyn, which
  # ld.so reads whole at every exec (~0.5 MiB resident for the pod's life).
  # Packed (DT_RELR: binutils >= 2.38, glibc >= 2.36) they take ~7 KiB. Used
  # only when a program linked so runs here (the glibc it is built against is
  # the oldest it runs on anyway); otherwise the link is as before.
  include(CheckCXXSourceRuns)
  set(CMAKE_REQUIRED_LINK_OPTIONS -Wl,-z,pack-relative-relocs)
  check_cxx_source_runs("int main() { return 0; }" MEMSECRET_LINKER_PACKS_RELOCS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(MEMSECRET_LINKER_PACKS_RELOCS)
    target_link_options(memsecret-injector PRIVATE LINKER:-z,pack-relative-relocs)
    set_property(GLOBAL PROPERTY MEMSECRET_INJECTOR_PACKS_RELOCS ON)
  endif()
  # The code `run` executes, first and together (.text.hot, listed by
  # scripts/injector_hot_text.sh from a profile of the sidecar). The kernel
  # maps the 64 KiB around every page fault of a cached file, and the ~1 MiB
  # of code the sidecar runs was spread over nearly all 5 MiB of text, so
  # nearly all of it stayed resident; grouped, ~1.8 MiB less. A linker that
  # cannot take the script (it must support INSERT) links as before.
  set(_memsecret_hot_text ${CMAKE_CURRENT_LIST_DIR}/injector_hot_text.ld)
  set(CMAKE_REQUIRED_LINK_OPTIONS -Wl,-T,${_memsecret_hot_text})
  check_cxx_source_runs("int main() { return 0; }" MEMSECRET_LINKER_TAKES_HOT_TEXT)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(MEMSECRET_LINKER_TAKES_HOT_TEXT)
    target_link_options(memsecret-injector PRIVATE LINKER:-T,${_memsecret_hot_text})
    set_property(TARGET memsecret-injector APPEND PROPERTY LINK_DEPENDS ${_memsecret_hot_text})
    set_property(GLOBAL PROPERTY MEMSECRET_INJECTOR_HOT_TEXT ${_memsecret_hot_text})
  endif()
endif()
