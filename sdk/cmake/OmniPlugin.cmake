# omni_add_plugin(<target> SOURCES <src>... [NO_INSTALL] [OUTPUT_DIRECTORY <dir>])
#
# Builds an omnikernel plugin: a MODULE library linked against omnikernel::sdk only, compiled with
# hidden visibility so that it exports exactly one symbol, omni_plugin_entry. The module goes to
# <build>/lib/omnikernel/plugins (where the omni CLI looks, relative to its own bin/) and installs
# to <libdir>/omnikernel/plugins, unless NO_INSTALL or OUTPUT_DIRECTORY say otherwise.
# Installed with the omnikernel CMake package, so vendors use the same function out of tree.
include_guard(GLOBAL)
include(GNUInstallDirs)

function(omni_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "omni_add_plugin(${target}): SOURCES is required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "omni_add_plugin(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_OUTPUT_DIRECTORY)
    set(arg_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib/omnikernel/plugins)
  endif()
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE omnikernel::sdk)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${arg_OUTPUT_DIRECTORY})
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # Hidden visibility does not cover std:: template instantiations (namespace std is declared
    # visible) nor static libraries linked in (e.g. simdjson): a version script exports exactly
    # the entry symbol, so two plugins never interpose each other's copies.
    # Installed beside this file; the .pc file's plugin_ldflags point to the same script.
    set(script ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/omni_plugin.map)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${script}"
                                           "LINKER:--exclude-libs,ALL")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${script})
  endif()
  if(NOT arg_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/omnikernel/plugins)
  endif()
endfunction()
