# Host unit tests of the Xen glue itself (xen/src: event channels, grant
# tables, xenstore, vchan, shutdown control, PV console) against a fake
# hypervisor (xen_fake/, docs/reliability.md "The Xen glue on a host
# fake"). Everything in these binaries, the kernel on the host port
# included, is built with AddressSanitizer and UBSan (any finding fails the
# test), whatever the host build's own flags.
set(PETREL_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer)
# The same sources as petrel_lib and petrel_kernel_host (the kernel on the
# host port), compiled again with the sanitizers.
get_target_property(lib_sources petrel_lib SOURCES)
get_target_property(lib_dir petrel_lib SOURCE_DIR)
list(TRANSFORM lib_sources PREPEND ${lib_dir}/)
get_target_property(kernel_sources petrel_kernel_host SOURCES)
add_library(petrel_xen_fake STATIC
  ${lib_sources}
  ${kernel_sources}
  ${PETREL_XEN_PURE_SOURCES}
  ${PETREL_ROOT}/xen/src/hypercall_error.cc
  ${PETREL_ROOT}/xen/src/hvm_param.cc
  ${PETREL_ROOT}/xen/src/evtchn.cc
  ${PETREL_ROOT}/xen/src/grant.cc
  ${PETREL_ROOT}/xen/src/xenstore.cc
  ${PETREL_ROOT}/xen/src/pv_console.cc
  ${PETREL_ROOT}/xen/src/control.cc
  ${PETREL_ROOT}/xen/src/ring_stream.cc
  ${PETREL_ROOT}/xen/src/static_channel.cc
  ${PETREL_ROOT}/xen/src/vchan.cc
  xen_fake/hypervisor.cc
  xen_fake/memory.cc
  xen_fake/evtchn.cc
  xen_fake/grant.cc
  xen_fake/xenstored.cc
  xen_fake/console.cc)
target_include_directories(petrel_xen_fake PUBLIC xen_fake
  ${PETREL_ROOT}/xen/include ${PETREL_ROOT}/kernel/include ${PETREL_ROOT}/arch/include
  ${PETREL_ROOT}/arch/host/include ${PETREL_ROOT}/lib/include)
target_compile_definitions(petrel_xen_fake PUBLIC
  __XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__)
target_compile_options(petrel_xen_fake PUBLIC ${PETREL_SANITIZE})
# Not position independent: the fake's pages and the kernel's heap (where
# vchan takes the pages it grants) must lie below 2 GiB, so that frame
# numbers fit a grant entry's 32 bits (xen_fake/fake_xen.h).
target_link_options(petrel_xen_fake PUBLIC ${PETREL_SANITIZE} -no-pie)
target_link_libraries(petrel_xen_fake PUBLIC GTest::gtest)

function(petrel_xen_glue_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE petrel_xen_fake GTest::gtest_main)
  gtest_discover_tests(${name} TEST_PREFIX "unit.${name}." DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS sanitized)
endfunction()
petrel_xen_glue_test(xen_evtchn_glue_test xen_fake/evtchn_glue_test.cc)
petrel_xen_glue_test(xen_grant_glue_test xen_fake/grant_glue_test.cc)
petrel_xen_glue_test(xen_xenstore_glue_test xen_fake/xenstore_glue_test.cc)
petrel_xen_glue_test(xen_toolstack_glue_test xen_fake/toolstack_glue_test.cc)
petrel_xen_glue_test(xen_vchan_glue_test xen_fake/vchan_glue_test.cc)
petrel_xen_glue_test(xen_static_channel_glue_test xen_fake/static_channel_glue_test.cc)
target_link_libraries(xen_static_channel_glue_test PRIVATE petrel::libfdt)
