# `cmake --install` layout (included by the top-level CMakeLists.txt):
#   include/omnikernel/...                      kernel, sdk, runtime, journal (config, durable) headers
#   lib/libomnikernel*.a                        the kernel, runtime, journal (config, durable) libraries
#   lib/omnikernel/plugins/*.so                 plugins (installed by omni_add_plugin)
#   lib/cmake/omnikernel/                       find_package(omnikernel CONFIG): targets
#                                               omnikernel::sdk|kernel|runtime|journal|config|durable,
#                                               version
#                                               file, the omni_add_plugin() helper and the
#                                               plugin version script (omni_plugin.map)
#   share/pkgconfig/omnikernel-sdk.pc           the SDK for builds without CMake
#   bin/omni                                    the CLI (apps/)
# With -DOMNI_SDK_ONLY=ON only the SDK is built and installed: its headers, the CMake package
# (omnikernel::sdk, omni_add_plugin) and the .pc file — no kernel, no Boost, no nlohmann_json.
include(CMakePackageConfigHelpers)

set(OMNI_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/omnikernel)

# The ABI version the package and the .pc file announce, from the header.
file(STRINGS ${PROJECT_SOURCE_DIR}/sdk/include/omnikernel/sdk/omni_plugin.h omni_abi_lines
     REGEX "^#define OMNI_ABI_VERSION_(MAJOR|MINOR) [0-9]+")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" OMNI_ABI_VERSION_STRING
       "${omni_abi_lines}")

# omnikernel::config needs nlohmann_json: it is exported on its own, so that the package finds
# nlohmann_json only for hosts that use it (a C plugin needs none of it).
set(omni_installed_targets)
foreach(target omni_sdk omni_kernel omni_runtime omnikernel_journal)
  if(TARGET ${target})
    list(APPEND omni_installed_targets ${target})
  endif()
endforeach()
foreach(area kernel sdk runtime config durable)
  if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${area}/include AND TARGET omni_${area})
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${area}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endforeach()

# The journal (issue 10): omnikernel::journal, headers under include/omnikernel/journal/.
if(TARGET omnikernel_journal)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/journal/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()

install(TARGETS ${omni_installed_targets} EXPORT omnikernelTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT omnikernelTargets NAMESPACE omnikernel:: DESTINATION ${OMNI_INSTALL_CMAKEDIR})
if(TARGET omni_config)
  install(TARGETS omni_config EXPORT omnikernelConfigTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT omnikernelConfigTargets NAMESPACE omnikernel:: DESTINATION ${OMNI_INSTALL_CMAKEDIR})
endif()
# omnikernel::durable links omnikernel::config (it journals the configuration as JSON), so it is
# exported on its own too: the package loads it only once config's nlohmann_json is found.
if(TARGET omni_durable)
  install(TARGETS omni_durable EXPORT omnikernelDurableTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT omnikernelDurableTargets NAMESPACE omnikernel:: DESTINATION ${OMNI_INSTALL_CMAKEDIR})
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/omnikernelConfig.cmake.in
  ${PROJECT_BINARY_DIR}/omnikernelConfig.cmake
  INSTALL_DESTINATION ${OMNI_INSTALL_CMAKEDIR})
# 0.x: a minor release may break the C++ API (the plugin C ABI is versioned on its own).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/omnikernelConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/omnikernelConfig.cmake
  ${PROJECT_BINARY_DIR}/omnikernelConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/sdk/cmake/OmniPlugin.cmake
  ${PROJECT_SOURCE_DIR}/sdk/cmake/omni_plugin.map
  DESTINATION ${OMNI_INSTALL_CMAKEDIR})

# The SDK is header-only: its .pc goes with architecture-independent data.
configure_file(${PROJECT_SOURCE_DIR}/cmake/omnikernel-sdk.pc.in
               ${PROJECT_BINARY_DIR}/omnikernel-sdk.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/omnikernel-sdk.pc
        DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
