// Compiled into the executables that link mimalloc (laminar_use_fast_allocator), never into
// the libraries. mimalloc returns freed memory to the operating system 25 ms after it was
// freed by default, and does so on whichever thread next allocates from the heap that owned
// it: on the reactor, that is a pause of up to several milliseconds after the control thread
// frees a checkpoint's state pieces or a batch the reactor built (measured with
// checkpoint_benchmark, docs/benchmarks.md). A delay of a second lets freed memory be reused
// first, which is what a streaming engine's steady allocation pattern does. (The option and
// its 25 ms default are mimalloc 2.0's, as Debian ships it; 2.1 renamed it purge_delay.) A
// delay set in the environment is left as it is.

#include <mimalloc.h>
#include <stdlib.h>

namespace {

const bool kConfigured = [] {
  if (::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr &&
      ::getenv("MIMALLOC_PURGE_DELAY") == nullptr) {
    mi_option_set(mi_option_decommit_delay, 1000);
  }
  return true;
}();

}  // namespace
