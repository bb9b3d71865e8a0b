# Host unit tests of the Xen interface's pure parts (xen/src), with fake
# shared memory instead of Xen.
# The pure parts, also compiled into the fake Xen's tests (xen_fake.cmake).
set(PETREL_XEN_PURE_SOURCES
  ${PETREL_ROOT}/xen/src/evtchn_2l.cc
  ${PETREL_ROOT}/xen/src/evtchn_fifo.cc
  ${PETREL_ROOT}/xen/src/byte_ring.cc
  ${PETREL_ROOT}/xen/src/console_ring.cc
  ${PETREL_ROOT}/xen/src/xs_protocol.cc
  ${PETREL_ROOT}/xen/src/grant_entries.cc
  ${PETREL_ROOT}/xen/src/grant_pending.cc
  ${PETREL_ROOT}/xen/src/vchan_layout.cc
  ${PETREL_ROOT}/xen/src/static_layout.cc)
add_library(petrel_xen_host_testable STATIC ${PETREL_XEN_PURE_SOURCES})
target_include_directories(petrel_xen_host_testable PUBLIC ${PETREL_ROOT}/xen/include)
# Xen's public headers, as the guest build sees them (libxen-dev).
target_compile_definitions(petrel_xen_host_testable PUBLIC
  __XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__)
target_link_libraries(petrel_xen_host_testable PUBLIC petrel_lib)

petrel_unit_test(evtchn_2l_test evtchn_2l_test.cc)
target_link_libraries(evtchn_2l_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(console_ring_test console_ring_test.cc)
target_link_libraries(console_ring_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(xs_protocol_test xs_protocol_test.cc)
target_link_libraries(xs_protocol_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(grant_entries_test grant_entries_test.cc)
target_link_libraries(grant_entries_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(evtchn_fifo_test evtchn_fifo_test.cc)
target_link_libraries(evtchn_fifo_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(vchan_layout_test vchan_layout_test.cc)
target_link_libraries(vchan_layout_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(grant_pending_test grant_pending_test.cc)
target_link_libraries(grant_pending_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(byte_ring_test byte_ring_test.cc)
target_link_libraries(byte_ring_test PRIVATE petrel_xen_host_testable)

petrel_unit_test(static_layout_test static_layout_test.cc)
target_link_libraries(static_layout_test PRIVATE petrel_xen_host_testable petrel::libfdt)
