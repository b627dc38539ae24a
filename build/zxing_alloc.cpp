// C++ allocations of the zxing-cpp reader through mimalloc, the process's Rust allocator
// (linked by the `mimalloc` crate): zxing-cpp allocates and frees a vector per scan line
// and a bit matrix per pass, which glibc's malloc serves more slowly
// (`benches/decode_vs_zxing.py`). Every global operator new and delete is replaced, so
// whatever one allocates the other frees.
#include <cstddef>
#include <new>

extern "C" {
void* mi_malloc(std::size_t size);
void* mi_malloc_aligned(std::size_t size, std::size_t alignment);
void mi_free(void* p);
}

static void* take(std::size_t n) {
    void* p = mi_malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    return p;
}

static void* take_aligned(std::size_t n, std::align_val_t a) {
    void* p = mi_malloc_aligned(n ? n : 1, static_cast<std::size_t>(a));
    if (!p) throw std::bad_alloc();
    return p;
}

void* operator new(std::size_t n) { return take(n); }
void* operator new[](std::size_t n) { return take(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return mi_malloc(n ? n : 1); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return mi_malloc(n ? n : 1); }
void* operator new(std::size_t n, std::align_val_t a) { return take_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return take_aligned(n, a); }
void operator delete(void* p) noexcept { mi_free(p); }
void operator delete[](void* p) noexcept { mi_free(p); }
void operator delete(void* p, std::size_t) noexcept { mi_free(p); }
void operator delete[](void* p, std::size_t) noexcept { mi_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { mi_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { mi_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { mi_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { mi_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { mi_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { mi_free(p); }
