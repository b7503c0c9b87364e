#include "tests/testing/allocation_count.h"

#include <malloc.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TWINFLOW_SANITIZED_ALLOCATOR 1
// The sanitizer runtimes' hook (GCC ships no header declaring it).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

namespace twinflow::testing {
namespace {

thread_local bool counting = false;
thread_local int64_t counted = 0;

void count_one() {
  if (counting) ++counted;
}

#ifdef TWINFLOW_SANITIZED_ALLOCATOR
void on_malloc(const volatile void*, size_t) { count_one(); }
void on_free(const volatile void*) {}
const int kHooked = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
#endif

}  // namespace

int64_t allocations_during(const std::function<void()>& f) {
  counted = 0;
  counting = true;
  f();
  counting = false;
  return counted;
}

}  // namespace twinflow::testing

#ifndef TWINFLOW_SANITIZED_ALLOCATOR
// glibc's allocator under its internal names: the replacements below count, then call them.
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);

void* malloc(size_t size) {
  twinflow::testing::count_one();
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  twinflow::testing::count_one();
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  twinflow::testing::count_one();
  return __libc_realloc(p, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  twinflow::testing::count_one();
  return __libc_memalign(alignment, size);
}
void* memalign(size_t alignment, size_t size) {
  twinflow::testing::count_one();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** p, size_t alignment, size_t size) {
  twinflow::testing::count_one();
  *p = __libc_memalign(alignment, size);
  return *p == nullptr ? ENOMEM : 0;
}
}
#endif
