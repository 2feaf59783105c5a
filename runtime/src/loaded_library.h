// The one place Boost.DLL appears: a loaded shared library, unloaded when the last Plugin or
// instance referring to it lets go (std::shared_ptr<LoadedLibrary>).
#pragma once
#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include "omnikernel/runtime/plugin.h"

namespace omni::runtime {

class LoadedLibrary {
 public:
  explicit LoadedLibrary(boost::dll::shared_library library) : library_(std::move(library)) {}
  [[nodiscard]] boost::dll::shared_library& get() noexcept { return library_; }

 private:
  boost::dll::shared_library library_;
};

}  // namespace omni::runtime
