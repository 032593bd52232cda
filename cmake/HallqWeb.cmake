# The pages' folders, share/hallq/<node>-web: a node's own page files (<node>/web) and the ES
# modules every page shares (common/web: api.js, dom.js, i18n.js, stream.js) side by side in
# one flat folder, since the daemons serve a page's files by plain name only (/web/<file> on
# the controller, /<file> on the kiosk: read_web_file in common/src/web_files.cpp), and a
# page imports a shared module as './api.js'. The build tree gets the folder next to the
# binaries exactly as the packages install it (the install rules in CMakeLists.txt), so a
# daemon finds its pages either way.
set(HALLQ_COMMON_WEB_DIR ${PROJECT_SOURCE_DIR}/common/web)

# hallq_web_folder(<target> <page source folder> <folder under share/hallq>)
function(hallq_web_folder target source folder)
  file(GLOB own CONFIGURE_DEPENDS ${source}/*)
  file(GLOB shared CONFIGURE_DEPENDS ${HALLQ_COMMON_WEB_DIR}/*)
  # One flat folder: a page file named as a shared module would be overwritten by it.
  foreach(f IN LISTS shared)
    get_filename_component(name ${f} NAME)
    if(EXISTS ${source}/${name})
      message(FATAL_ERROR "${source}/${name} has the name of a shared module in common/web")
    endif()
  endforeach()
  set(out ${CMAKE_BINARY_DIR}/share/hallq/${folder})
  add_custom_target(${target} ALL
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${own} ${shared} ${out}/
    SOURCES ${own} ${shared}
    VERBATIM)
endfunction()
