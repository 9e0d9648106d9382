#include "common/thread_name.h"

#include <pthread.h>

#include <algorithm>

namespace laminar {

namespace {
constexpr size_t kMaxNameBytes = 15;  // Linux's limit, without the terminating zero.
}  // namespace

void NameCurrentThread(std::string_view name) {
  const std::string kept(name.substr(0, std::min(name.size(), kMaxNameBytes)));
  // A name is a label for tools: failing to set it changes nothing else.
  (void)pthread_setname_np(pthread_self(), kept.c_str());
}

std::string CurrentThreadName() {
  char name[kMaxNameBytes + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof(name)) != 0) return "";
  return name;
}

}  // namespace laminar
